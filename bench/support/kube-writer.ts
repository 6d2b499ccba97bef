// Writes to the benchmark cluster (seeding and churn). Benchmarks only: nothing in kubeglance
// itself ever writes to a cluster. Uses @kubernetes/client-node for the kubeconfig's TLS
// credentials and plain node:https for the requests.
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

export class KubeWriter {
  private readonly config = new KubeConfig();
  private readonly agent = new https.Agent({ keepAlive: true, maxSockets: 16 });

  constructor(kubeconfigPath: string) {
    this.config.loadFromFile(kubeconfigPath);
  }

  get server(): string {
    return this.config.getCurrentCluster()!.server;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: T; bytes: number }> {
    const options: https.RequestOptions = { method, agent: this.agent, headers: {} };
    await this.config.applyToHTTPSOptions(options);
    const url = new URL(path, this.server);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload) Object.assign(options.headers!, { 'content-type': contentType, 'content-length': payload.length });
    return new Promise((resolve, reject) => {
      const req = https.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = raw.toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: parseBody(text) as T, bytes: raw.length });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  async ok<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const response = await this.request<T>(method, path, body, contentType);
    if (response.status >= 300 && response.status !== 409) {
      throw new Error(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
    }
    return response.body;
  }

  /** Wire size of a GET whose response the server may gzip (as an HTTP client accepting gzip gets it). */
  async gzipBytes(path: string): Promise<number> {
    const options: https.RequestOptions = { method: 'GET', agent: this.agent, headers: { 'accept-encoding': 'gzip' } };
    await this.config.applyToHTTPSOptions(options);
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(path, this.server), options, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve(bytes));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  mergePatch(path: string, patch: unknown) {
    return this.ok('PATCH', path, patch, 'application/merge-patch+json');
  }

  close(): void {
    this.agent.destroy();
  }
}

/** JSON bodies parsed; anything else (e.g. the plain-text "404 page not found") kept as text. */
function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
