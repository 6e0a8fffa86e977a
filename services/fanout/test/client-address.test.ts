// The address the per-address limit counts (http/client-address.ts): the socket's peer, or behind
// trusted proxies the closest untrusted hop of X-Forwarded-For. A hop that is not trusted cannot
// name another address (a reader forging the header from outside gains nothing).
import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { test } from 'node:test'
import { loadFanoutConfig } from '../src/config.ts'
import { clientAddress } from '../src/http/client-address.ts'

const req = (peer: string | undefined, forwarded?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
  }) as unknown as IncomingMessage

test('no trusted proxies: the peer, whatever the header says', () => {
  const of = clientAddress([])
  assert.equal(of(req('10.0.0.5', '203.0.113.9')), '10.0.0.5')
  assert.equal(of(req(undefined)), 'unknown')
})

test('behind trusted proxies: the closest untrusted hop; an untrusted peer is the address itself', () => {
  const of = clientAddress(['uniquelocal'])
  assert.equal(of(req('10.0.0.5', '203.0.113.9')), '203.0.113.9', 'an ingress in the cluster')
  assert.equal(of(req('10.0.0.5', '198.51.100.7, 203.0.113.9')), '203.0.113.9', 'what the reader put first is not taken')
  assert.equal(of(req('10.0.0.5', '203.0.113.9, 10.0.0.7')), '203.0.113.9', 'two trusted hops')
  assert.equal(of(req('198.51.100.1', '10.9.9.9')), '198.51.100.1', 'a reader outside cannot name an address')
  assert.equal(of(req('10.0.0.5')), '10.0.0.5', 'no header: the proxy itself')
  assert.equal(of(req(undefined, '203.0.113.9')), 'unknown')
})

test('FANOUT_TRUSTED_PROXIES is read at start: a value proxy-addr cannot read refuses it', () => {
  assert.deepEqual(loadFanoutConfig({ FANOUT_TRUSTED_PROXIES: 'loopback, 10.0.0.0/8' }).trustedProxies, ['loopback', '10.0.0.0/8'])
  assert.deepEqual(loadFanoutConfig({}).trustedProxies, [])
  assert.throws(() => loadFanoutConfig({ FANOUT_TRUSTED_PROXIES: 'the-ingress' }), /FANOUT_TRUSTED_PROXIES: .*the-ingress/)
})
