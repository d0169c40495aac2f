/** Injection token of the NATS connection the naive service publishes its twin events on. */
export const NAIVE_NATS = Symbol('NAIVE_NATS');
