// Minimal JSON-RPC 2.0 client over one WebSocket (one message per WebSocket message).
// The token travels only in the WebSocket subprotocol to the engine that served this page.
export class RpcError extends Error {
  constructor(error) {
    super(`${error.message} (${error.code}${error.data?.codeName ? ' ' + error.data.codeName : ''})`);
    this.code = error.code;
    this.data = error.data;
  }
}

export class Rpc {
  #ws; #next = 1; #pending = new Map();

  static connect(url, token) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, [`segbridge.token.${token}`]);
      ws.onopen = () => resolve(new Rpc(ws));
      // The browser hides the HTTP status of a refused upgrade (401 wrong token, 403 foreign origin).
      ws.onerror = () => reject(new Error('could not connect: wrong token, page origin not allowed, or engine not running'));
    });
  }

  constructor(ws) {
    this.#ws = ws;
    this.onclose = null;
    ws.onmessage = (ev) => this.#receive(ev.data);
    ws.onclose = (ev) => {
      for (const { reject } of this.#pending.values()) reject(new Error('connection closed'));
      this.#pending.clear();
      this.onclose?.(ev);
    };
  }

  call(method, params = {}) {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  close() { this.#ws.close(); }

  #receive(text) {
    let msg;
    try { msg = JSON.parse(text); } catch { console.warn('engine sent a non-JSON message'); return; }
    const waiter = this.#pending.get(msg.id);
    if (!waiter) { if (msg.error) console.warn('engine error without request:', msg.error); return; }
    this.#pending.delete(msg.id);
    if (msg.error) waiter.reject(new RpcError(msg.error)); else waiter.resolve(msg.result);
  }
}
