/**
 * Whether this process reaches each Kafka broker, logged as a state (util/state-log.ts): one
 * line when a broker becomes unreachable, at most one a minute while it stays so, one when it
 * answers again. Every kafkajs connection of wharf is opened here (the socketFactory of
 * client.ts), so a socket that connects is that broker's success and a socket error or a
 * connection timeout its failure, whichever client (consumer, producer, admin) made it. kafkajs's
 * own lines about these connections, several a second per client while a broker is down, go to
 * debug (client.ts): the state lines say it once.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';
import { describeError } from '../errors';
import type { Logger } from '../log';
import { failureReason, StateLog } from '../util/state-log';

/** kafkajs's default keep-alive (its socketFactory.js). */
const KEEP_ALIVE_DELAY_MS = 60_000;

/** One state per broker address in this process: its clients share what they see of it. */
const states = new Map<string, StateLog>();

export function brokerState(log: Logger, broker: string): StateLog {
  let state = states.get(broker);
  if (!state) {
    state = new StateLog(log.child({ component: 'kafka' }), { subject: `Kafka ${broker}`, fields: { broker } });
    states.set(broker, state);
  }
  return state;
}

/** kafkajs's default socket factory, reporting each connection's outcome to its broker's state. */
export function reachabilitySocketFactory(log: Logger): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const state = brokerState(log, `${host}:${port}`);
    const connected = () => {
      state.succeeded();
      onConnect();
    };
    const socket = ssl ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, connected) : net.connect({ host, port }, connected);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    socket.once('error', (err) => state.failed(failureReason(err, describeError), { err }));
    return socket;
  };
}

/** kafkajs lines that a broker state already says (or wharf chose knowingly): logged at debug. */
const CONNECTION_NOISE = /Connection error|Connection timeout|Failed to connect|Closed connection|KafkaJSConnection|KafkaJSNumberOfRetriesExceeded|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/;
const CHOSEN = ['Limiting retries for the idempotent producer may invalidate EoS guarantees'];

export function isConnectionNoise(message: string, extra: Record<string, unknown>): boolean {
  const error = typeof extra.error === 'string' ? extra.error : '';
  return CONNECTION_NOISE.test(message) || CONNECTION_NOISE.test(error) || CHOSEN.includes(message);
}
