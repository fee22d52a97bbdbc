// Runs the wallboard's script against a minimal DOM and a stubbed fetch, then prints what
// it rendered as JSON. argv[2]: the script; argv[3]: the snapshot JSON; argv[4]: URL hash.
"use strict";
const fs = require("fs");
const vm = require("vm");

class Node {
  constructor(tag) { this.tag = tag; this.children = []; this.className = ""; this._text = ""; }
  appendChild(c) { this.children.push(c); return c; }
  replaceChildren() { this.children = []; }
  set textContent(t) { this._text = t; this.children = []; }
  get textContent() { return this._text + this.children.map(c => c.textContent).join(""); }
  toJSON() { return {tag: this.tag, cls: this.className, text: this.textContent,
                     children: this.children}; }
}
const byId = {};
const requests = [];
const sandbox = {
  document: {
    createElement: tag => new Node(tag),
    createTextNode: t => { const n = new Node("#text"); n.textContent = t; return n; },
    getElementById: id => (byId[id] = byId[id] || new Node("#" + id)),
  },
  window: {location: {hash: process.argv[4] || ""}},
  fetch: async (url, opts) => {
    requests.push({url, headers: opts.headers});
    return {status: 200, ok: true, json: async () => JSON.parse(process.argv[3])};
  },
  setTimeout: (fn, ms) => { sandbox.pollMs = ms; },
  setInterval: () => {},
  Date, Math, String, JSON, isFinite, decodeURIComponent, console,
};
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(process.argv[2], "utf8"), sandbox);
setImmediate(() => setImmediate(() => {
  process.stdout.write(JSON.stringify({
    requests, pollMs: sandbox.pollMs, status: byId.status,
    queues: byId.queues, agents: byId.agents, notices: byId.notices,
    noticeList: byId["notice-list"], targets: {sl: byId["t-sl"], asa: byId["t-asa"],
                                                ab: byId["t-ab"]},
  }));
}));
