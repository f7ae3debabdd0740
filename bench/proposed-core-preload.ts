/** Loaded first in a validate worker (PoolOptions.preload): applies bench/proposed-core.ts there. */
import { installProposedCore } from "./proposed-core";

installProposedCore();
