// The one small engine that walks the table, and the one decoder of its packed form.
//
// The rows of table.ts reach the device as the string in packed.ts (tools/pack-table.ts
// writes it); at start-up it is decoded once into TABLE, one Int32Array cell per
// (state, event), 0 when the table has no row (see Cell). tcp.ts calls step() and runs the
// decoded actions against the slot arrays.

import { Ev } from "./table";
import { STATE_COUNT } from "./states";
import { PACKED_ROWS } from "./packed";

/** A table cell: the next state + 1 (0: no row), the end() reason, the action bits. */
export const enum Cell {
  NEXT_MASK = 0xf,      // bits 0-3: next state + 1
  REASON_SHIFT = 4,     // bits 4-6: end() reason (End)
  REASON_MASK = 0x7,
  ACTIONS_SHIFT = 7,    // bits 7-19: actions (A bits)
  ACTIONS_LIMIT = 1 << 13,
  BITS = 20,            // a cell fits in 20 bits
  MASK = 0xfffff,
}

/**
 * The packed form: each row is DIGITS base-32 digits, most significant first, of
 * (cell index << Cell.BITS | cell), the cell index being state * Ev.COUNT + event. Digit d is
 * the character ZERO + d ('0'-'9', ':'-'@', 'A'-'O': no quote or backslash to escape).
 */
export const enum Pack {
  BASE = 32,
  ZERO = 0x30, // '0'
  DIGITS = 6,  // 30 bits: a cell index (< 2^10) and a cell
}

/** The table of the packed rows p (a function: p is one string, read in place). */
function unpack(p: string): Int32Array {
  var table = new Int32Array(STATE_COUNT * Ev.COUNT);
  for (var i = 0; i < p.length; i += Pack.DIGITS) {
    var v = 0;
    for (var j = i; j < i + Pack.DIGITS; j++) v = v * Pack.BASE + p.charCodeAt(j) - Pack.ZERO;
    table[v >> Cell.BITS] = v & Cell.MASK;
  }
  return table;
}

var TABLE = unpack(PACKED_ROWS);

/** The compiled table (one, shared: read only). */
export function compileTable(): Int32Array {
  return TABLE;
}

/** The cell for (state, event), 0 when the table has no row. */
export function step(table: Int32Array, state: number, ev: number): number {
  return table[state * Ev.COUNT + ev];
}

/** Decoders of a cell. */
export function nextOf(cell: number): number {
  return (cell & Cell.NEXT_MASK) - 1;
}
export function reasonOf(cell: number): number {
  return (cell >> Cell.REASON_SHIFT) & Cell.REASON_MASK;
}
export function actionsOf(cell: number): number {
  return cell >> Cell.ACTIONS_SHIFT;
}

/** The cell of a row (tools/pack-table.ts; a reason below 0, End.NONE, is stored as 0). */
export function cellOf(next: number, actions: number, reason: number): number {
  return (next + 1) | ((reason < 0 ? 0 : reason) << Cell.REASON_SHIFT) | (actions << Cell.ACTIONS_SHIFT);
}
