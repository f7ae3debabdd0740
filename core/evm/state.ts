/**
 * MoveStateManager: the EVM's whole view of state during one transaction. It knows nothing but
 * keys (mark, addr, slot) and code blobs by hash. Reads go to a StateSource (a full state view when
 * filling moves; the declared moves when validating), every key touched is recorded, and writes
 * live in a journaled overlay, so the final value of each key is known after the run.
 *
 * Accounts are composed from three keys: n (nonce), b (balance), c (code hash, 0 for no code).
 * An account whose three keys are 0 does not exist (EIP-161 makes empty and absent alike).
 */
import { Account, Address, KECCAK256_NULL, KECCAK256_RLP, bytesToHex, bigIntToBytes, setLengthLeft, unpadBytes } from "@ethereumjs/util";
import type { StateManagerInterface, AccountFields } from "@ethereumjs/common";
import { keccak256 } from "../bytes";
import { Mark, keyIdOf } from "../keys";

const ZERO_HASH_HEX = "0x" + "00".repeat(32);
const NULL_CODE_HEX = bytesToHex(KECCAK256_NULL);

/**
 * Where the run reads keys it has not written yet. Validation answers synchronously (the declared
 * moves); a coordinator's store may answer with promises (LevelDB).
 */
export interface StateSource {
  /** Value of the key at the start of the transaction. Throws UndeclaredKeyError to refuse. */
  read(id: string, mark: number, addrHex: string, slot: bigint): bigint | Promise<bigint>;
  /** Code with the given keccak256 (0x-hex), if known. */
  code(hashHex: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /** The storage slots of an account that the transaction declares (validation); absent when filling. */
  declaredSlots?(addrHex: string): readonly bigint[];
}

/** A key the run touched. */
export interface Access {
  mark: number;
  addrHex: string;
  slot: bigint;
  /** Value at the start of the transaction. */
  prev: bigint;
}

export class UndeclaredKeyError extends Error {
  constructor(readonly keyId: string) {
    super(`undeclared key ${keyId}`);
  }
}

export class MissingCodeError extends Error {
  constructor(readonly codeHash: string) {
    super(`code ${codeHash} is not in the witness`);
  }
}

type Undo = Map<string, bigint | undefined>;

export class MoveStateManager implements StateManagerInterface {
  /** Every key read or written, with its value at the start of the transaction. */
  accessed = new Map<string, Access>();
  /** Keys written in this transaction and their current values (journaled). */
  private current = new Map<string, bigint>();
  private undo: Undo[] = [];
  /** Code created in this transaction, by hash. */
  readonly created = new Map<string, Uint8Array>();
  /** First violation seen (undeclared key, missing code); the EVM may swallow the throw, this may not. */
  violation: Error | undefined;
  /** Vault addresses (0x-hex): empty at the start of every transaction and never keys (protocol.md §6.5). */
  private vaults = new Set<string>();
  /**
   * One code object per code hash, kept across transactions (bounded, oldest added out): each
   * transaction's witness blobs are new objects, but their bytes hash to the key, so the first one
   * seen stands for all, and the EVM's per-code jump analysis cache (core/evm/jumpdest.ts) hits.
   */
  private readonly canonicalCode = new Map<string, Uint8Array>();
  static readonly CANONICAL_CODE_LIMIT = 4096;

  constructor(private source: StateSource) {}

  /** Reuses this manager for a new transaction. */
  reset(source: StateSource, vaults: readonly string[] = []): void {
    this.source = source;
    this.accessed = new Map();
    this.current = new Map();
    this.undo = [];
    this.created.clear();
    this.violation = undefined;
    this.vaults = new Set(vaults);
  }

  // ---- key level ---------------------------------------------------------------------------

  private loadPrev(id: string, mark: number, addrHex: string, slot: bigint): bigint | Promise<bigint> {
    const a = this.accessed.get(id);
    if (a) return a.prev;
    if (this.vaults.has(addrHex)) return 0n;
    let prev: bigint | Promise<bigint>;
    try {
      prev = this.source.read(id, mark, addrHex, slot);
    } catch (e) {
      return this.fail(e);
    }
    if (typeof prev === "bigint") {
      this.accessed.set(id, { mark, addrHex, slot, prev });
      return prev;
    }
    return prev.then(
      (v) => {
        const again = this.accessed.get(id); // another read of the same key may have finished first
        if (again) return again.prev;
        this.accessed.set(id, { mark, addrHex, slot, prev: v });
        return v;
      },
      (e) => this.fail(e),
    );
  }

  private fail(e: unknown): never {
    if (!this.violation) this.violation = e as Error;
    throw e;
  }

  getKey(mark: number, addrHex: string, slot: bigint): bigint | Promise<bigint> {
    const id = keyIdOf(addrHex, mark, slot);
    const cur = this.current.get(id);
    if (cur !== undefined) return cur;
    return this.loadPrev(id, mark, addrHex, slot);
  }

  async setKey(mark: number, addrHex: string, slot: bigint, value: bigint): Promise<void> {
    const id = keyIdOf(addrHex, mark, slot);
    await this.loadPrev(id, mark, addrHex, slot); // a write needs the key declared too
    const frame = this.undo[this.undo.length - 1];
    if (frame && !frame.has(id)) frame.set(id, this.current.get(id));
    this.current.set(id, value);
  }

  /** Final value of an accessed key. */
  finalValue(id: string): bigint {
    const cur = this.current.get(id);
    return cur !== undefined ? cur : this.accessed.get(id)!.prev;
  }

  /** Whether the key was written (and the write not reverted). */
  wasWritten(id: string): boolean {
    return this.current.has(id);
  }

  /** What a vault holds at the end of the transaction. */
  vaultBalance(vaultHex: string): bigint {
    if (!this.vaults.has(vaultHex)) return 0n;
    return this.current.get(keyIdOf(vaultHex, Mark.Balance, 0n)) ?? 0n;
  }

  // ---- StateManagerInterface -------------------------------------------------------------

  async getAccount(address: Address): Promise<Account | undefined> {
    const a = address.toString();
    const nonce = await this.getKey(Mark.Nonce, a, 0n);
    const balance = await this.getKey(Mark.Balance, a, 0n);
    const code = await this.getKey(Mark.Code, a, 0n);
    if (nonce === 0n && balance === 0n && code === 0n) return undefined;
    return new Account(nonce, balance, KECCAK256_RLP, code === 0n ? KECCAK256_NULL : setLengthLeft(bigIntToBytes(code), 32));
  }

  async putAccount(address: Address, account?: Account): Promise<void> {
    if (account === undefined) return this.deleteAccount(address);
    const a = address.toString();
    const codeHex = bytesToHex(account.codeHash);
    const code = codeHex === NULL_CODE_HEX || codeHex === ZERO_HASH_HEX ? 0n : BigInt(codeHex);
    // Write only the fields that change, so untouched fields stay reference moves.
    if ((await this.getKey(Mark.Nonce, a, 0n)) !== account.nonce) await this.setKey(Mark.Nonce, a, 0n, account.nonce);
    if ((await this.getKey(Mark.Balance, a, 0n)) !== account.balance) await this.setKey(Mark.Balance, a, 0n, account.balance);
    if ((await this.getKey(Mark.Code, a, 0n)) !== code) await this.setKey(Mark.Code, a, 0n, code);
  }

  async deleteAccount(address: Address): Promise<void> {
    const a = address.toString();
    await this.setKey(Mark.Nonce, a, 0n, 0n);
    await this.setKey(Mark.Balance, a, 0n, 0n);
    await this.setKey(Mark.Code, a, 0n, 0n);
    await this.zeroStorage(a);
  }

  async modifyAccountFields(address: Address, fields: AccountFields): Promise<void> {
    const acc = (await this.getAccount(address)) ?? new Account();
    if (fields.nonce !== undefined) acc.nonce = fields.nonce;
    if (fields.balance !== undefined) acc.balance = fields.balance;
    if (fields.codeHash !== undefined) acc.codeHash = fields.codeHash;
    await this.putAccount(address, acc);
  }

  async putCode(address: Address, value: Uint8Array): Promise<void> {
    const a = address.toString();
    if (value.length === 0) {
      await this.setKey(Mark.Code, a, 0n, 0n);
      return;
    }
    const h = keccak256(value);
    this.created.set(bytesToHex(h), value);
    await this.setKey(Mark.Code, a, 0n, BigInt(bytesToHex(h)));
  }

  async getCode(address: Address): Promise<Uint8Array> {
    const c = await this.getKey(Mark.Code, address.toString(), 0n);
    if (c === 0n) return new Uint8Array(0);
    const hex = "0x" + c.toString(16).padStart(64, "0");
    const created = this.created.get(hex);
    if (created) return created;
    // Always the source's to answer: code known to one transaction is not known to the next.
    const code = await this.source.code(hex);
    if (code === undefined) {
      const e = new MissingCodeError(hex);
      if (!this.violation) this.violation = e;
      throw e;
    }
    const seen = this.canonicalCode.get(hex);
    if (seen) return seen;
    if (this.canonicalCode.size >= MoveStateManager.CANONICAL_CODE_LIMIT) this.canonicalCode.delete(this.canonicalCode.keys().next().value as string);
    this.canonicalCode.set(hex, code);
    return code;
  }

  async getCodeSize(address: Address): Promise<number> {
    return (await this.getCode(address)).length;
  }

  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    const v = await this.getKey(Mark.Storage, address.toString(), BigInt(bytesToHex(key)));
    return v === 0n ? new Uint8Array(0) : bigIntToBytes(v);
  }

  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const v = unpadBytes(value);
    await this.setKey(Mark.Storage, address.toString(), BigInt(bytesToHex(key)), v.length === 0 ? 0n : BigInt(bytesToHex(v)));
  }

  /**
   * ethereumjs clears the storage of every address it creates at. A no-op here: no state the rollup
   * reaches has storage at an address without code and nonce (protocol.md §6.1, EIP-7610), so there
   * is never anything to clear, and the step machine does not clear either.
   */
  async clearStorage(): Promise<void> {}

  /**
   * Zeroes every storage slot of a deleted account that the transaction knows of: the slots it
   * declares (validation) and the slots it accessed (filling, where the declared keys are the
   * accessed ones). protocol.md §6.1.
   */
  private async zeroStorage(addrHex: string): Promise<void> {
    const slots = new Set<bigint>(this.source.declaredSlots?.(addrHex) ?? []);
    for (const acc of this.accessed.values()) if (acc.mark === Mark.Storage && acc.addrHex === addrHex) slots.add(acc.slot);
    for (const slot of [...slots].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
      if ((await this.getKey(Mark.Storage, addrHex, slot)) !== 0n) await this.setKey(Mark.Storage, addrHex, slot, 0n);
  }

  originalStorageCache = {
    get: async (address: Address, key: Uint8Array): Promise<Uint8Array> => {
      const a = address.toString();
      const slot = BigInt(bytesToHex(key));
      const v = await this.loadPrev(keyIdOf(a, Mark.Storage, slot), Mark.Storage, a, slot);
      return v === 0n ? new Uint8Array(0) : bigIntToBytes(v);
    },
    clear: (): void => {},
  };

  async checkpoint(): Promise<void> {
    this.undo.push(new Map());
  }

  async commit(): Promise<void> {
    const top = this.undo.pop();
    const parent = this.undo[this.undo.length - 1];
    if (top && parent) for (const [id, old] of top) if (!parent.has(id)) parent.set(id, old);
  }

  async revert(): Promise<void> {
    const top = this.undo.pop();
    if (!top) return;
    for (const [id, old] of top) {
      if (old === undefined) this.current.delete(id);
      else this.current.set(id, old);
    }
  }

  async getStateRoot(): Promise<Uint8Array> {
    return new Uint8Array(32); // moveset keeps no state trie
  }
  async setStateRoot(): Promise<void> {}
  async hasStateRoot(): Promise<boolean> {
    return false;
  }
  clearCaches(): void {}
  shallowCopy(): StateManagerInterface {
    return new MoveStateManager(this.source);
  }
}
