// Matches file_grep's pattern in a worker thread, so a pattern that backtracks for ever only
// costs this thread, which the caller terminates at its time cap. Plain JavaScript on purpose:
// worker threads do not get tsx's loader on Node 20.
import { parentPort, workerData } from 'node:worker_threads';

const { pattern, flags, files, maxMatches, maxLineLength } = workerData;
const expression = new RegExp(pattern, flags);
const result = { matches: [], truncated: false, files_searched: 0 };

search: for (const file of files) {
  result.files_searched += 1;
  if (file.text === null) continue; // a binary file
  const lines = file.text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index];
    const text = line.length > maxLineLength ? line.slice(0, maxLineLength) : line;
    if (!expression.test(text)) continue;
    if (result.matches.length >= maxMatches) {
      result.truncated = true;
      break search;
    }
    result.matches.push({ path: file.path, line: index + 1, text });
  }
}
parentPort.postMessage(result);
