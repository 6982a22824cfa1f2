// The demo's static files from flash: the library's (firmware/lib/eth-files.ts).
export { serveStorageFiles, FlashStorage } from "../lib/eth-files";
