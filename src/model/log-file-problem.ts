/** A log file (or object, or page) that could not be read in full, with the reason. */
export interface LogFileProblem {
  file: string;
  reason: string;
}
