/**
 * A simulator's charges, indexed the three ways it looks them up: by the gateway's id, by account (the bearer token
 * that made them: each key or access token sees only its own) and by our purchase id. Tens of thousands stay cheap.
 */
export class ChargeBook<T extends { account: string }> {
  private readonly byId = new Map<string, T>();
  private readonly byAccount = new Map<string, T[]>();
  private readonly byPurchase = new Map<string, T[]>();

  add(id: string | number, purchaseId: string | undefined, entry: T): void {
    this.byId.set(String(id), entry);
    append(this.byAccount, entry.account, entry);
    if (purchaseId !== undefined) append(this.byPurchase, purchaseId, entry);
  }

  /** Any account's charge (the control surface's view). */
  get(id: string | number): T | undefined {
    return this.byId.get(String(id));
  }

  /** The charge as `account` sees it: another account's does not exist for it. */
  own(id: string | number, account: string | undefined): T | undefined {
    const entry = this.get(id);
    return entry && entry.account === account ? entry : undefined;
  }

  /** An account's charges, in the order they were made. */
  ofAccount(account: string | undefined): readonly T[] {
    return this.byAccount.get(account ?? '') ?? [];
  }

  ofPurchase(purchaseId: string): readonly T[] {
    return this.byPurchase.get(purchaseId) ?? [];
  }

  all(): T[] {
    return [...this.byId.values()];
  }

  clear(): void {
    this.byId.clear();
    this.byAccount.clear();
    this.byPurchase.clear();
  }
}

function append<T>(index: Map<string, T[]>, key: string, entry: T): void {
  const list = index.get(key);
  if (list) list.push(entry);
  else index.set(key, [entry]);
}
