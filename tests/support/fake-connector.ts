import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the bot made to the connector. */
export interface ConnectorCall {
  kind: 'create' | 'send' | 'reply' | 'update';
  conversationId: string;
  activityId: string;
  /** For `create`: the member the conversation was opened with. */
  memberId?: string;
  activity?: any;
  at: number;
}

/**
 * A local Bot Connector that speaks the REST routes botbuilder uses
 * (docs.microsoft.com, "Bot Connector API reference": createConversation,
 * sendToConversation, replyToActivity, updateActivity) and records every call.
 * Conversations are remembered so a test can tell who received what.
 */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  /** conversation id → the user it was opened with (or seen from). */
  readonly owners = new Map<string, string>();
  private server?: Server;
  private readonly listeners = new Set<(call: ConnectorCall) => void>();

  /** Calls `fn` for every call recorded from now on; returns an unsubscribe function. */
  onCall(fn: (call: ConnectorCall) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private record(call: ConnectorCall) {
    this.calls.push(call);
    for (const fn of this.listeners) fn(call);
  }
  private seq = 0;
  url = '';

  async start(): Promise<string> {
    const app = express();
    app.use(express.json({ limit: '1mb' }));
    app.post('/v3/conversations', (req, res) => {
      const member = req.body?.members?.[0]?.id as string | undefined;
      if (!member) return void res.status(400).json({ error: { code: 'BadArgument', message: 'members required' } });
      const conversationId = `a:conv-${member}`;
      this.owners.set(conversationId, member);
      this.record({ kind: 'create', conversationId, activityId: '', memberId: member, at: Date.now() });
      res.status(201).json({ id: conversationId });
    });
    app.post('/v3/conversations/:cid/activities', (req, res) => {
      const activityId = `m${++this.seq}`;
      this.record({ kind: 'send', conversationId: req.params.cid, activityId, activity: req.body, at: Date.now() });
      res.status(201).json({ id: activityId });
    });
    app.post('/v3/conversations/:cid/activities/:replyTo', (req, res) => {
      const activityId = `m${++this.seq}`;
      this.record({ kind: 'reply', conversationId: req.params.cid, activityId, activity: req.body, at: Date.now() });
      res.status(201).json({ id: activityId });
    });
    app.put('/v3/conversations/:cid/activities/:aid', (req, res) => {
      this.record({ kind: 'update', conversationId: req.params.cid, activityId: req.params.aid, activity: req.body, at: Date.now() });
      res.status(200).json({ id: req.params.aid });
    });
    app.use((req, res) => res.status(404).json({ error: { code: 'NotFound', message: `${req.method} ${req.path}` } }));
    this.server = await new Promise<Server>((ok) => {
      const s = app.listen(0, '127.0.0.1', () => ok(s));
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.url;
  }

  async stop() {
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }

  /** Cards delivered (sent or replied) into conversations that belong to this user. */
  cardsFor(userId: string, kinds: ConnectorCall['kind'][] = ['send', 'reply']): any[] {
    return this.calls
      .filter((c) => kinds.includes(c.kind) && this.owners.get(c.conversationId) === userId)
      .flatMap((c) => (c.activity?.attachments ?? []).map((a: any) => a.content));
  }

  textsFor(userId: string): string[] {
    return this.calls.filter((c) => this.owners.get(c.conversationId) === userId && c.activity?.text).map((c) => c.activity.text);
  }

  /** Every card the bot sent anywhere, for validation. */
  allCards(): any[] {
    return this.calls.flatMap((c) => (c.activity?.attachments ?? []).map((a: any) => a.content));
  }
}
