// The boards' MAC address helpers live with the library module (firmware/lib/eth-mac.ts), which
// derives a board's address the same way when the user gives none.
export { macFromSerial, parseMac } from "../firmware/lib/eth-mac";
