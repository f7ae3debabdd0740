/** The pure protocol core: encoding, hashing, Merkle, signing, validation. No I/O. */
export * from "./errors";
export * from "./bytes";
export * from "./codec";
export * from "./hash";
export * from "./keys";
export * from "./moves";
export * from "./merkle";
export * from "./tx";
export * from "./sign";
export * from "./batch";
export * from "./context";
export * from "./validate";
export * from "./fill";
export * from "./evm/chain";
export * from "./evm/execute";
export * from "./evm/state";
export * from "./evm/ethtx";
