/**
 * Peak resident memory of this process: the kernel's high-water mark (`maxRSS`) and a sampled
 * `process.memoryUsage()`, so that a phase can be measured from a known start and the peak
 * can be broken down (V8 heap, memory outside it).
 */
export interface MemoryPeak {
  /** The larger of the sampled peak and the kernel's maxRSS (MB). */
  peakMb: number;
  sampledMb: number;
  maxRssMb: number;
  /** Largest V8 heap (total, used) and external / ArrayBuffer memory seen (MB). */
  heapTotalMb: number;
  heapUsedMb: number;
  externalMb: number;
  arrayBuffersMb: number;
}

const MB = 1024 * 1024;

export class RssSampler {
  #rss = 0;
  #heapTotal = 0;
  #heapUsed = 0;
  #external = 0;
  #arrayBuffers = 0;
  #timer: NodeJS.Timeout | undefined;

  public start(everyMs = 50): this {
    this.sample();
    this.#timer = setInterval(() => this.sample(), everyMs);
    this.#timer.unref();
    return this;
  }

  public sample(): void {
    const m = process.memoryUsage();
    this.#rss = Math.max(this.#rss, m.rss);
    this.#heapTotal = Math.max(this.#heapTotal, m.heapTotal);
    this.#heapUsed = Math.max(this.#heapUsed, m.heapUsed);
    this.#external = Math.max(this.#external, m.external);
    this.#arrayBuffers = Math.max(this.#arrayBuffers, m.arrayBuffers);
  }

  /** Stops sampling and returns the peaks. */
  public stop(): MemoryPeak {
    if (this.#timer) clearInterval(this.#timer);
    this.sample();
    const sampledMb = this.#rss / MB;
    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    return {
      peakMb: Math.max(sampledMb, maxRssMb),
      sampledMb,
      maxRssMb,
      heapTotalMb: this.#heapTotal / MB,
      heapUsedMb: this.#heapUsed / MB,
      externalMb: this.#external / MB,
      arrayBuffersMb: this.#arrayBuffers / MB,
    };
  }
}
