/**
 * One timed round of the send-worker benchmark (bench/send-worker.ts), as it reports it to
 * the orchestrator (bench/run.ts). Type-only.
 */
export interface SendRound {
  messages: number;
  seconds: number;
  perSecond: number;
  cpuMsPerMessage: number;
  accepted: number;
  maxInFlight: number;
}
