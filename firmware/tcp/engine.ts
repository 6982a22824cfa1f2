// The one small engine that walks the table: look up (state, event), decode the row.
// tcp.ts calls step() and runs the returned actions against the slot arrays.

import { EV_COUNT } from "./table";

/** The compiled row for (state, event), 0 when the table has none. */
export function step(table: Int32Array, state: number, ev: number): number {
  return table[state * EV_COUNT + ev];
}

/** Decoders of a compiled row. */
export function nextOf(row: number): number {
  return (row & 15) - 1;
}
export function reasonOf(row: number): number {
  return (row >> 4) & 15;
}
export function actionsOf(row: number): number {
  return row >> 8;
}
