/** The kernels a caller may ask for: the SIMD one where it applies ("auto"), or the portable JS loop. Same results. */
export const KERNEL_CHOICES = ["auto", "js"] as const;
export type KernelChoice = (typeof KERNEL_CHOICES)[number];
