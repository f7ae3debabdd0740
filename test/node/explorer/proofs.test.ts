/**
 * node/explorer: the explorer's L1 event reader and its proofs view follow a dispute game as it
 * happens (the game the Inbox names, found by itself): created, a move, each claim resolved, the
 * result; and the status words follow the contract's numbering. On the Hardhat network with the mock
 * step verifier (test/helpers/game-chain.ts), no node needed.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { JsonRpcProvider } from "ethers";
import { stateIndex } from "../../../core/game";
import { deployGame, fakeTx, postBatch, setProgram, dispute, BONDS, MAX_CLOCK, CHAIN_ID, BOND, WINDOW } from "../../helpers/game-chain";
import { mockState } from "../../helpers/mock-trace";
import { L1Events } from "../../../node/explorer/l1-events";
import { ExplorerData, type ExplorerDeps } from "../../../node/explorer/data";
import { EMPTY_GENESIS_ROOT, type Deployment } from "../../../node/config";

const FAULT = 0x02;

describe("node/explorer: proofs and games as they happen", function () {
  this.timeout(120_000);

  it("follows a game from its creation to its result", async () => {
    const f = await deployGame();
    const start = await ethers.provider.getBlockNumber();
    const b = await postBatch(f, [fakeTx("a"), fakeTx("b")]);
    const truth = await setProgram(f, b, 1, 3n << 24n, FAULT);
    const [poster, alice] = f.signers;
    const deployment: Deployment = {
      l1ChainId: 31337n,
      l2ChainId: CHAIN_ID,
      inbox: await f.inbox.getAddress(),
      bridge: await f.bridge.getAddress(),
      deployedAt: Math.max(0, start - 20),
      challengeWindow: WINDOW,
      bondSize: BOND,
      inclusionDelay: 86_400n,
      maxDepositsPerBatch: 256n,
      minBaseFee: 1n,
      genesisRoot: EMPTY_GENESIS_ROOT,
      genesisCount: 0n,
    };
    const events = new L1Events(ethers.provider as unknown as JsonRpcProvider, deployment, { TestProver: await f.prover.getAddress() });
    const data = new ExplorerData({ events, deployment } as unknown as ExplorerDeps);
    type Proofs = {
      game: string;
      games: { id: string; batchIndex: string; txIndex: string; challenger: string; status: string; claims: number; winner?: string; rolledBack?: boolean; events: { name: string }[] }[];
    };
    const view = async () => {
      await events.poll();
      return data.proofs() as unknown as Proofs;
    };

    expect((await view()).games).to.deep.equal([]);
    expect((await view()).game).to.equal((await f.game.getAddress()).toLowerCase());

    const claim1 = mockState(truth, stateIndex(2n));
    await (await dispute(f, alice, b, 1, claim1)).wait();
    let g = (await view()).games[0];
    expect([g.id, g.batchIndex, g.txIndex, g.challenger, g.status, g.claims]).to.deep.equal(["1", "0", "1", alice.address.toLowerCase(), "in progress", 2]);

    // The poster attacks the challenger's claim.
    await (await f.game.connect(poster).getFunction("move")(1n, 1n, claim1, mockState(truth, stateIndex(4n)), true, { value: BONDS[1] })).wait();
    g = (await view()).games[0];
    expect(g.claims).to.equal(3);
    expect(g.events.map((e) => e.name)).to.deep.equal(["GameCreated", "Moved", "Moved"]);

    // Nobody answers: the clocks run out, the claims resolve bottom-up, the poster's root stands.
    await time.increase(2n * MAX_CLOCK + 1n);
    for (const c of [2n, 1n, 0n]) await (await f.game.getFunction("resolveClaim")(1n, c, 0n)).wait();
    g = (await view()).games[0];
    expect([g.status, g.rolledBack]).to.deep.equal(["defender wins", false]);
    expect(g.events.filter((e) => e.name === "ClaimResolved")).to.have.length(3);
    expect(g.events.at(-1)!.name).to.equal("GameResolved");
  });
});
