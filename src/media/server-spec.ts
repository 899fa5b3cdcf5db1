/** One FREESWITCH entry; apart from the connections so the CLI reads it without loading fsmrf. */
export type ServerSpec = { host: string; port: number; secret: string };

/** `host:port:secret` (the secret may hold colons); the config schema has checked the shape. */
export function parseServer(text: string): ServerSpec {
  const [host = '', port = '', ...secret] = text.split(':');
  return { host, port: Number(port), secret: secret.join(':') };
}
