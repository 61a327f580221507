// Live preview without the VAE: A1111's cheap linear latent-to-RGB approximation for SDXL latents.

/** Row c gives the RGB contribution of latent channel c (A1111 `sd_vae_approx.cheap_approximation`, SDXL). */
export const SDXL_LATENT_RGB: readonly (readonly [number, number, number])[] = [
  [0.3448, 0.4168, 0.4395],
  [-0.1953, -0.029, 0.025],
  [0.1074, 0.0886, -0.0163],
  [-0.373, -0.2499, -0.2088],
];

/** RGB bytes (row-major, 3 per pixel) at latent resolution for one image's latent `[4, h, w]`. */
export function previewRgb(latent: Float32Array, height: number, width: number): Uint8Array {
  const plane = height * width;
  const out = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let r = 0; r < 3; r++) {
      let v = 0;
      for (let c = 0; c < 4; c++) v += latent[c * plane + p]! * SDXL_LATENT_RGB[c]![r]!;
      out[p * 3 + r] = toByte(v);
    }
  }
  return out;
}

/** A1111's conversion of a decoded value in [-1, 1] to a byte: clamp((v + 1) / 2) * 255, truncated. */
export function toByte(v: number): number {
  const x = Math.min(1, Math.max(0, (v + 1) / 2));
  return Math.floor(x * 255);
}
