/** Ports of the local stack: fixed defaults for the CLI, overridable from the environment. */

/** The ports `npm start` uses unless told otherwise. */
export const DEFAULT_PORTS = { s3: 4569, dynamodb: 4567, ses: 8005, sqs: 9324, http: 3000, auth: 4580 } as const;

export type PortName = keyof typeof DEFAULT_PORTS;
export type Ports = Record<PortName, number>;

const ENV_NAMES: Record<PortName, string> = {
  s3: 'LOCAL_S3_PORT',
  dynamodb: 'LOCAL_DYNAMODB_PORT',
  ses: 'LOCAL_SES_PORT',
  sqs: 'LOCAL_SQS_PORT',
  http: 'LOCAL_HTTP_PORT',
  auth: 'LOCAL_AUTH_PORT',
};

/**
 * The CLI's ports: DEFAULT_PORTS, overridden by `LOCAL_S3_PORT`, `LOCAL_DYNAMODB_PORT`,
 * `LOCAL_SES_PORT`, `LOCAL_SQS_PORT`, `LOCAL_HTTP_PORT`, `LOCAL_AUTH_PORT` (the local editors'
 * sign-in) (0 = any free port).
 *
 * @throws Error naming a variable that is not a port number.
 * @example
 * ```ts
 * portsFromEnv({ LOCAL_SES_PORT: '0' }); // { s3: 4569, dynamodb: 4567, ses: 0, sqs: 9324, http: 3000, auth: 4580 }
 * ```
 */
export function portsFromEnv(env: Record<string, string | undefined>): Ports {
  const ports: Ports = { ...DEFAULT_PORTS };
  for (const name of Object.keys(ENV_NAMES) as PortName[]) {
    const raw = env[ENV_NAMES[name]]?.trim();
    if (raw === undefined || raw === '') continue;
    const port = Number(raw);
    if (!/^\d+$/.test(raw) || port > 65_535) {
      throw new Error(`${ENV_NAMES[name]} must be a port number (0-65535), got "${raw}"`);
    }
    ports[name] = port;
  }
  return ports;
}
