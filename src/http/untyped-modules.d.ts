// Express's own helpers, used by the Fastify platform to answer as Express does; they ship no types.
declare module 'accepts' {
  function accepts(req: import('node:http').IncomingMessage): { type(types: string[]): string | false };
  export default accepts;
}
declare module 'encodeurl' {
  function encodeUrl(url: string): string;
  export default encodeUrl;
}
