/** Quality measures for speech enhancement: SI-SDR, STOI/ESTOI, DNSMOS P.835, and folder evaluation. */

export { sisdr } from './sisdr.js';
export { stoi, estoi, intelligibility, type IntelligibilityScores } from './stoi.js';
export { resample } from './resample.js';
export { estimateDelay, alignSignals, type AlignedPair } from './align.js';
export { loadDnsmos, dnsmosHopStarts, DNSMOS_RATE, type DnsmosScorer, type DnsmosScores, type DnsmosScoreOptions } from './dnsmos.js';
export {
  evaluatePair, evaluateFiles, evaluateFileSet, evaluateDirs, type FileSetEntry, type EvaluateFileSetOptions,
  type Scores, type PairScores, type DnsmosTriple, type EvaluatePairOptions, type EvaluateDirsOptions,
  type FileReport, type EvalReport,
} from './evaluate.js';
export { formatTable } from './table.js';
