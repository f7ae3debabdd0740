/** The dispute game's pure rules (docs/protocol.md §11.5): positions, status, clocks, bonds. */
export * from "./position";
export * from "./status";
export * from "./clock";
export * from "./bonds";
export * from "./finality";
