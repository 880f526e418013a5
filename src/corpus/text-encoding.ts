/** More control characters than this share of a text (tabs and line breaks aside) means it is no text. */
const MAX_CONTROL_SHARE = 0.01;

/**
 * The text of a file: UTF-8 (with or without a byte-order mark) or UTF-16 with its byte-order mark
 * (as Windows Notepad saves it); a string saying why not for anything else (binary, other encodings).
 */
export function decodeText(bytes: Uint8Array): { text: string } | { reason: string } {
  let text: string;
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) text = new TextDecoder('utf-16le', { fatal: true }).decode(bytes.subarray(2));
    else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = new TextDecoder('utf-16be', { fatal: true }).decode(bytes.subarray(2));
    else if (bytes.includes(0)) return { reason: 'binary (it has NUL bytes), not text' };
    else text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { reason: 'not valid UTF-8 or UTF-16 text: save it as UTF-8' };
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what tells a binary file from text.
  const controls = text.match(/[\u0000-\u0008\u000e-\u001f\u007f]/g)?.length ?? 0;
  if (controls > MAX_CONTROL_SHARE * text.length) return { reason: `binary (${controls} control characters), not text` };
  return { text };
}
