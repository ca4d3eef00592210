/**
 * The limits of the memory a binary imports, read from its import section: WebAssembly's JS API
 * (Module.imports) names the import but does not say whether the memory is shared, nor its limits.
 */

export interface MemoryLimits { min: number; max: number | undefined; shared: boolean }

/** The imported memory's limits, or null when the binary imports none (or its import section is unreadable). */
export function importedMemory(bytes: Uint8Array): MemoryLimits | null {
  let at = 8; // past the magic number and version
  const leb = (): number => {
    let value = 0, shift = 0, byte: number;
    do { byte = bytes[at++] ?? 0; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80 && at < bytes.length);
    return value;
  };
  const skip = () => { const length = leb(); at += length; }; // a name (`at += leb()` would add to the old `at`)
  const limits = (): MemoryLimits => {
    const flags = bytes[at++] ?? 0;
    const min = leb();
    return { min, max: flags & 1 ? leb() : undefined, shared: (flags & 2) !== 0 };
  };
  while (at < bytes.length) {
    const id = bytes[at++], size = leb(), end = at + size;
    if (id !== 2) { at = end; continue; }
    for (let count = leb(); count > 0; count--) {
      skip(); // module name
      skip(); // field name
      const kind = bytes[at++];
      if (kind === 0) leb(); // function: type index
      else if (kind === 1) { at++; limits(); } // table: element type, limits
      else if (kind === 2) return limits(); // memory
      else if (kind === 3) at += 2; // global: value type, mutability
      else if (kind === 4) { at++; leb(); } // tag: attribute, type index
      else return null;
    }
    return null;
  }
  return null;
}
