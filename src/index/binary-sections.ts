import { open } from 'node:fs/promises';

/**
 * A file of a JSON header and typed-array sections, written and read one section at a time, so
 * an index of hundreds of millions of postings never passes through one string or one Buffer.
 * Layout: "SECT" magic, u32 header length, header JSON (with each section's type and length),
 * then the sections' bytes, each starting at a multiple of 8.
 */
const MAGIC = Buffer.from('SECT');

type SectionType = 'u8' | 'u16' | 'u32' | 'f64';
export type Section = Uint8Array | Uint16Array | Uint32Array | Float64Array;

const CONSTRUCTORS = { u8: Uint8Array, u16: Uint16Array, u32: Uint32Array, f64: Float64Array } as const;

function typeOf(section: Section): SectionType {
  if (section instanceof Uint8Array) return 'u8';
  if (section instanceof Uint16Array) return 'u16';
  if (section instanceof Uint32Array) return 'u32';
  return 'f64';
}

const align = (offset: number) => Math.ceil(offset / 8) * 8;
/** Large sections are written and read in slices (one read() call stops at 2 GB). */
const SLICE_BYTES = 256 * 1024 * 1024;

export async function writeSections(file: string, header: unknown, sections: Readonly<Record<string, Section>>): Promise<void> {
  const layout = Object.entries(sections).map(([name, section]) => ({ name, type: typeOf(section), length: section.length }));
  const headerBytes = Buffer.from(JSON.stringify({ header, sections: layout }));
  const prefix = Buffer.alloc(8);
  MAGIC.copy(prefix);
  prefix.writeUInt32LE(headerBytes.length, 4);
  const handle = await open(file, 'w');
  try {
    await handle.write(prefix, 0, prefix.length, 0);
    await handle.write(headerBytes, 0, headerBytes.length, 8);
    let position = align(8 + headerBytes.length);
    for (const section of Object.values(sections)) {
      const bytes = new Uint8Array(section.buffer, section.byteOffset, section.byteLength);
      for (let start = 0; start < bytes.length; start += SLICE_BYTES) {
        const slice = bytes.subarray(start, start + SLICE_BYTES);
        await handle.write(slice, 0, slice.length, position + start);
      }
      position = align(position + bytes.length);
    }
    await handle.truncate(position);
  } finally {
    await handle.close();
  }
}

export async function readSections(file: string): Promise<{ header: unknown; sections: Record<string, Section> }> {
  const handle = await open(file, 'r');
  try {
    const prefix = Buffer.alloc(8);
    await handle.read(prefix, 0, 8, 0);
    if (!prefix.subarray(0, 4).equals(MAGIC)) throw new Error(`${file} is not a sections file`);
    const headerBytes = Buffer.alloc(prefix.readUInt32LE(4));
    await readFully(handle, headerBytes, 8);
    const { header, sections: layout } = JSON.parse(headerBytes.toString('utf8')) as {
      header: unknown;
      sections: { name: string; type: SectionType; length: number }[];
    };
    const sections: Record<string, Section> = {};
    let position = align(8 + headerBytes.length);
    for (const { name, type, length } of layout) {
      const section = new CONSTRUCTORS[type](length);
      const bytes = new Uint8Array(section.buffer);
      await readFully(handle, bytes, position);
      sections[name] = section;
      position = align(position + bytes.length);
    }
    return { header, sections };
  } finally {
    await handle.close();
  }
}

async function readFully(handle: Awaited<ReturnType<typeof open>>, into: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < into.length; ) {
    const { bytesRead } = await handle.read(into, done, Math.min(SLICE_BYTES, into.length - done), position + done);
    if (bytesRead === 0) throw new Error('file ends early');
    done += bytesRead;
  }
}

/** The same layout in one buffer, for a store that keeps the index as a value (a database row) rather than a file. */
export function packSections(header: unknown, sections: Readonly<Record<string, Section>>): Buffer {
  const layout = Object.entries(sections).map(([name, section]) => ({ name, type: typeOf(section), length: section.length }));
  const headerBytes = Buffer.from(JSON.stringify({ header, sections: layout }));
  let size = align(8 + headerBytes.length);
  for (const section of Object.values(sections)) size = align(size + section.byteLength);
  const packed = Buffer.alloc(size);
  MAGIC.copy(packed);
  packed.writeUInt32LE(headerBytes.length, 4);
  headerBytes.copy(packed, 8);
  let position = align(8 + headerBytes.length);
  for (const section of Object.values(sections)) {
    packed.set(new Uint8Array(section.buffer, section.byteOffset, section.byteLength), position);
    position = align(position + section.byteLength);
  }
  return packed;
}

export function unpackSections(packed: Uint8Array): { header: unknown; sections: Record<string, Section> } {
  const bytes = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  if (bytes.length < 8 || !bytes.subarray(0, 4).equals(MAGIC)) throw new Error('not a sections value');
  const headerLength = bytes.readUInt32LE(4);
  const { header, sections: layout } = JSON.parse(bytes.toString('utf8', 8, 8 + headerLength)) as {
    header: unknown;
    sections: { name: string; type: SectionType; length: number }[];
  };
  const sections: Record<string, Section> = {};
  let position = align(8 + headerLength);
  for (const { name, type, length } of layout) {
    const section = new CONSTRUCTORS[type](length);
    const byteLength = section.byteLength;
    if (position + byteLength > bytes.length) throw new Error('sections value ends early');
    // Copied into an aligned buffer of its own (the value may start at any offset).
    new Uint8Array(section.buffer).set(bytes.subarray(position, position + byteLength));
    sections[name] = section;
    position = align(position + byteLength);
  }
  return { header, sections };
}
