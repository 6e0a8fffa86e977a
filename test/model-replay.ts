// A property run of the model tests replayed: fast-check's seed and path as a failing run prints
// them, from NEWSWIRE_MODEL_SEED and NEWSWIRE_MODEL_PATH (none set: a fresh random run). Every
// model test spreads it into its fast-check parameters.
const seed = process.env.NEWSWIRE_MODEL_SEED
const path = process.env.NEWSWIRE_MODEL_PATH

export const MODEL_REPLAY: { seed?: number; path?: string } = seed ? { seed: Number(seed), ...(path ? { path } : {}) } : {}
