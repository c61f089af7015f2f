/**
 * Peak resident memory of this process: the kernel's high-water mark (`maxRSS`) and a sampled
 * `process.memoryUsage().rss`, so that a phase can be measured from a known start.
 */
export class RssSampler {
  #peak = 0;
  #timer: NodeJS.Timeout | undefined;

  public start(everyMs = 50): this {
    this.sample();
    this.#timer = setInterval(() => this.sample(), everyMs);
    this.#timer.unref();
    return this;
  }

  public sample(): void {
    this.#peak = Math.max(this.#peak, process.memoryUsage.rss());
  }

  /** Stops sampling; returns the peak in MB (the larger of the samples and maxRSS). */
  public stop(): { sampledMb: number; maxRssMb: number; peakMb: number } {
    if (this.#timer) clearInterval(this.#timer);
    this.sample();
    const sampledMb = this.#peak / 1024 / 1024;
    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    return { sampledMb, maxRssMb, peakMb: Math.max(sampledMb, maxRssMb) };
  }
}
