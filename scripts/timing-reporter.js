"use strict";
/**
 * Mocha reporter for measuring the suite: the spec reporter's output, plus per-file and per-test wall times.
 * Opt-in, test-only: `MOVESET_TEST_TIMINGS=out.json npx hardhat test` (hardhat.config.ts selects it) writes
 * { files: [{file, ms, tests}], tests: [{file, title, ms}] } sorted slowest first, and prints the top 25 of each.
 * A file's time runs from its first top-level suite's start to its last one's end, so it includes hooks.
 */
const Mocha = require("mocha");
const fs = require("fs");
const path = require("path");
const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_END, EVENT_RUN_END, EVENT_HOOK_BEGIN, EVENT_HOOK_END } = Mocha.Runner.constants;

function fileOf(runnable) {
  let s = runnable;
  while (s && !s.file) s = s.parent;
  return s && s.file ? path.relative(process.cwd(), s.file) : "(unknown)";
}

class TimingReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const out = process.env.MOVESET_TEST_TIMINGS;
    const files = new Map();
    const tests = [];
    const add = (runnable, ms, n) => {
      const f = fileOf(runnable);
      const e = files.get(f) ?? { file: f, ms: 0, tests: 0 };
      e.ms += ms;
      e.tests += n;
      files.set(f, e);
    };
    // A top-level suite's start to its end; root-level hooks (outside any describe) count for their file too.
    const started = new Map();
    const begin = (r) => started.set(r, Date.now());
    const end = (r) => {
      const t0 = started.get(r);
      if (t0 === undefined) return;
      started.delete(r);
      add(r, Date.now() - t0, 0);
    };
    runner.on(EVENT_SUITE_BEGIN, (suite) => suite.parent && suite.parent.root && begin(suite));
    runner.on(EVENT_SUITE_END, end);
    runner.on(EVENT_HOOK_BEGIN, (hook) => hook.parent && hook.parent.root && begin(hook));
    runner.on(EVENT_HOOK_END, end);
    runner.on(EVENT_TEST_END, (test) => {
      const f = fileOf(test);
      tests.push({ file: f, title: test.fullTitle(), ms: test.duration ?? 0, state: test.state });
      add(test, 0, 1);
    });
    runner.once(EVENT_RUN_END, () => {
      const fl = [...files.values()].sort((a, b) => b.ms - a.ms);
      tests.sort((a, b) => b.ms - a.ms);
      const sum = fl.reduce((s, e) => s + e.ms, 0);
      if (out) fs.writeFileSync(out, JSON.stringify({ sumFileMs: sum, files: fl, tests }, null, 1));
      const pr = (s) => process.stdout.write(s + "\n");
      pr(`\n  Timing: ${fl.length} files, sum of file times ${(sum / 1000).toFixed(1)} s`);
      pr("  Slowest files:");
      for (const e of fl.slice(0, 25)) pr(`    ${(e.ms / 1000).toFixed(1).padStart(7)} s  ${e.tests.toString().padStart(4)} tests  ${e.file}`);
      pr("  Slowest tests:");
      for (const t of tests.slice(0, 25)) pr(`    ${(t.ms / 1000).toFixed(1).padStart(7)} s  ${t.file}: ${t.title}`);
    });
  }
}

module.exports = TimingReporter;
