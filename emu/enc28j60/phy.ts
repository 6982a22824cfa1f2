// The ENC28J60's 10BASE-T PHY registers as seen through MII (host only): PHCON1, PHSTAT1
// (LLSTAT latching low), PHID1/2, PHCON2, PHSTAT2 (LSTAT), PHIE, PHIR (clear on read), PHLCON.
// Only the nine implemented addresses answer; others read 0. Timing (MII BUSY) is the caller's.

import * as R from "./regs";

export class PhyModel {
  readonly regs = new Uint16Array(R.PHY_ADDR_MASK + 1); // 32 addresses
  linkUp: boolean;
  private llLatch: boolean;

  constructor(private readonly revision: number, linkUp: boolean) {
    this.linkUp = linkUp;
    this.llLatch = linkUp;
    this.reset();
  }

  /** Power-on / PHCON1.PRST / system reset values (the link itself is the wire's). */
  reset(): void {
    this.regs.fill(0);
    this.regs[R.PHID1] = R.PHID1_VALUE;
    this.regs[R.PHID2] = R.PHID2_VALUE | (this.revision & R.PHID2_REV_MASK);
    this.regs[R.PHLCON] = R.PHLCON_RESET;
    this.llLatch = this.linkUp;
  }

  /** Register value without side effects. txBusy feeds PHSTAT2.TXSTAT. */
  peek(reg: number, txBusy: boolean): number {
    const r = this.regs;
    switch (reg) {
      // 10 Mbit/s full and half duplex capable (PFDPX, PHDPX), and the latched link state
      case R.PHSTAT1: return R.PHSTAT1_PFDPX | R.PHSTAT1_PHDPX | (this.llLatch ? R.PHSTAT1_LLSTAT : 0);
      case R.PHSTAT2:
        return (txBusy ? R.PHSTAT2_TXSTAT : 0) | (this.linkUp ? R.PHSTAT2_LSTAT : 0) |
          (r[R.PHCON1] & R.PHCON1_PDPXMD ? R.PHSTAT2_DPXSTAT : 0);
      case R.PHCON1: case R.PHID1: case R.PHID2: case R.PHCON2: case R.PHIE: case R.PHIR: case R.PHLCON:
        return r[reg];
      default: return 0;
    }
  }

  /** An MII read: PHSTAT1 re-arms the link latch, PHIR clears itself. */
  read(reg: number, txBusy: boolean): number {
    const v = this.peek(reg, txBusy);
    if (reg === R.PHSTAT1) this.llLatch = this.linkUp;
    if (reg === R.PHIR) this.regs[R.PHIR] = 0;
    return v;
  }

  /** An MII write; read-only and unimplemented registers ignore it. */
  write(reg: number, v: number): void {
    const r = this.regs;
    switch (reg) {
      case R.PHCON1:
        if (v & R.PHCON1_PRST) { this.reset(); return; } // self-clearing
        r[R.PHCON1] = v & (R.PHCON1_PLOOPBK | R.PHCON1_PPWRSV | R.PHCON1_PDPXMD);
        return;
      case R.PHCON2: r[R.PHCON2] = v & (R.PHCON2_FRCLNK | R.PHCON2_TXDIS | R.PHCON2_JABBER | R.PHCON2_HDLDIS); return;
      case R.PHIE: r[R.PHIE] = v & (R.PHIE_PLNKIE | R.PHIE_PGEIE); return;
      case R.PHLCON: r[R.PHLCON] = R.PHLCON_RESERVED | (v & R.PHLCON_WRITABLE); return;
      default: return;
    }
  }

  /**
   * Link change from the wire. PLNKIF is set on every change; PGIF only when PHIE.PGEIE and
   * PLNKIE are set. Returns true when EIR.LINKIF must be raised (the same condition).
   */
  setLink(up: boolean): boolean {
    if (up === this.linkUp) return false;
    this.linkUp = up;
    if (!up) this.llLatch = false;
    this.regs[R.PHIR] |= R.PHIR_PLNKIF;
    const ie = this.regs[R.PHIE];
    if ((ie & R.PHIE_PLNKIE) && (ie & R.PHIE_PGEIE)) {
      this.regs[R.PHIR] |= R.PHIR_PGIF;
      return true;
    }
    return false;
  }

  halfDuplexLoopback(): boolean {
    return (this.regs[R.PHCON2] & R.PHCON2_HDLDIS) === 0;
  }

  internalLoopback(): boolean {
    return (this.regs[R.PHCON1] & R.PHCON1_PLOOPBK) !== 0;
  }
}
