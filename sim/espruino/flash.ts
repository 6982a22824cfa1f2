// The flash of Espruino's Linux build: a 256 KB file `espruino.flash` in the interpreter's working
// directory, holding Storage files as Espruino's jsflash.c lays them out (from the start of the
// file: a 32-byte header - the size as a little-endian 32-bit word, flags in its top byte, then
// the name padded with zeros to 28 bytes - the data, then padding to 4 bytes; erased bytes are
// 0xFF). Writing the image here boots the interpreter exactly as `make flash` leaves a board,
// without running a Storage-writing program inside a 5,100-variable interpreter first.

export const FLASH_FILE = "espruino.flash";
/** boards/LINUX.py 'flash': 256 (KB); Storage covers all of it on the Linux build. */
export const FLASH_BYTES = 256 * 1024;

const enum Layout {
  HEADER = 32,        // uint32 size + JsfFileName (28 bytes)
  NAME_MAX = 28,
  ALIGN = 4,          // JSF_ALIGNMENT without FLASH_64BITS_ALIGNMENT
  SIZE_MASK = 0xffffff,
  ERASED = 0xff,
}

export interface StorageFile { name: string; data: Buffer }

/** The flash file's bytes with these Storage files, in order. Throws when they do not fit. */
export function flashImage(files: StorageFile[], bytes: number = FLASH_BYTES): Buffer {
  const img = Buffer.alloc(bytes, Layout.ERASED);
  let at = 0;
  for (const f of files) {
    const name = Buffer.from(f.name, "latin1");
    if (name.length === 0 || name.length > Layout.NAME_MAX) throw new Error("Storage name " + JSON.stringify(f.name) + " must have 1 to 28 characters");
    if (f.data.length === 0 || f.data.length > Layout.SIZE_MASK) throw new Error("Storage file " + f.name + " has " + f.data.length + " bytes");
    const end = at + Layout.HEADER + f.data.length;
    if (end > bytes) throw new Error("Storage files do not fit in the Linux build's " + bytes / 1024 + " KB flash (" + f.name + ")");
    img.writeUInt32LE(f.data.length, at);
    img.fill(0, at + 4, at + Layout.HEADER);
    name.copy(img, at + 4);
    f.data.copy(img, at + Layout.HEADER);
    at = (end + Layout.ALIGN - 1) & ~(Layout.ALIGN - 1);
  }
  return img;
}
