/**
 * The Redis Cluster hash slot of a key (CRC16/XMODEM of the key, or of its `{hash tag}`, mod
 * 16384), as `CLUSTER KEYSLOT` computes it: config load refuses record and traffic streams that
 * one script must touch together but that would land in different slots. ioredis carries the
 * same function (cluster-key-slot), but not as a dependency of ours, and it has no types.
 */

const TABLE = Array.from({ length: 256 }, (_, n) => {
  let crc = n << 8;
  for (let i = 0; i < 8; i++)
    crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  return crc;
});

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ b) & 0xff]!;
  return crc;
}

/** The part of `key` that is hashed: the first non-empty `{…}`, else the whole key. */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

export function keySlot(key: string): number {
  return crc16(Buffer.from(hashTag(key), 'utf8')) % 16_384;
}
