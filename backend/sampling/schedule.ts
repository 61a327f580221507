// Noise schedules: the model's 1000 training sigmas from the scheduler config, A1111's default discretisation
// (k-diffusion CompVisDenoiser.get_sigmas) and the Karras schedule, plus the sigma → timestep map the UNet needs.

export interface SchedulerConfig {
  beta_start?: number;
  beta_end?: number;
  beta_schedule?: string;
  num_train_timesteps?: number;
  prediction_type?: string;
}

export interface TrainingSchedule {
  /** sigma_t = sqrt((1 - alphabar_t) / alphabar_t), for t = 0 … T-1, increasing. */
  sigmas: Float64Array;
  logSigmas: Float64Array;
}

/** Training sigmas from a diffusers scheduler config (scaled-linear or linear betas, epsilon prediction). */
export function trainingSchedule(config: SchedulerConfig = {}): TrainingSchedule {
  const start = config.beta_start ?? 0.00085;
  const end = config.beta_end ?? 0.012;
  const count = config.num_train_timesteps ?? 1000;
  const kind = config.beta_schedule ?? 'scaled_linear';
  if (kind !== 'scaled_linear' && kind !== 'linear') throw new Error(`scheduler_config.json: beta_schedule "${kind}" is not supported (scaled_linear or linear)`);
  if (config.prediction_type && config.prediction_type !== 'epsilon') {
    throw new Error(`scheduler_config.json: prediction_type "${config.prediction_type}" is not supported (epsilon)`);
  }
  const sigmas = new Float64Array(count);
  let alphaBar = 1;
  for (let t = 0; t < count; t++) {
    const frac = count === 1 ? 0 : t / (count - 1);
    const beta = kind === 'scaled_linear' ? (Math.sqrt(start) + frac * (Math.sqrt(end) - Math.sqrt(start))) ** 2 : start + frac * (end - start);
    alphaBar *= 1 - beta;
    sigmas[t] = Math.sqrt((1 - alphaBar) / alphaBar);
  }
  return { sigmas, logSigmas: sigmas.map(Math.log) };
}

/** torch.linspace(start, end, n). */
function linspace(start: number, end: number, n: number): number[] {
  if (n === 1) return [start];
  return Array.from({ length: n }, (_, i) => start + ((end - start) * i) / (n - 1));
}

/** Sigma at a fractional timestep: log-linear interpolation between the training sigmas. */
export function timestepToSigma(s: TrainingSchedule, t: number): number {
  const low = Math.floor(t), high = Math.ceil(t), w = t - low;
  return Math.exp((1 - w) * s.logSigmas[low]! + w * s.logSigmas[high]!);
}

/** The (fractional) timestep of a sigma, inverse of `timestepToSigma` (k-diffusion `sigma_to_t`). */
export function sigmaToTimestep(s: TrainingSchedule, sigma: number): number {
  const log = Math.log(sigma);
  const n = s.logSigmas.length;
  let low = 0;
  for (let i = 0; i < n; i++) if (log >= s.logSigmas[i]!) low = i; // last index whose log-sigma is <= log sigma
  low = Math.min(low, n - 2);
  const a = s.logSigmas[low]!, b = s.logSigmas[low + 1]!;
  const w = Math.min(1, Math.max(0, (a - log) / (a - b)));
  return (1 - w) * low + w * (low + 1);
}

/** A1111's default schedule: timesteps linspace(T-1, 0, steps), their sigmas, then 0. */
export function defaultSigmas(s: TrainingSchedule, steps: number): Float64Array {
  const ts = linspace(s.sigmas.length - 1, 0, steps);
  return Float64Array.from([...ts.map((t) => timestepToSigma(s, t)), 0]);
}

/** Karras et al. (2022) schedule between the model's smallest and largest sigma, then 0. */
export function karrasSigmas(s: TrainingSchedule, steps: number, rho = 7): Float64Array {
  const min = s.sigmas[0]!, max = s.sigmas[s.sigmas.length - 1]!;
  const minInv = min ** (1 / rho), maxInv = max ** (1 / rho);
  return Float64Array.from([...linspace(0, 1, steps).map((r) => (maxInv + r * (minInv - maxInv)) ** rho), 0]);
}
