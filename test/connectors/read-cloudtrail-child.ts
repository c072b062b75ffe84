// Run by tests in a child process (`node --import tsx`), so a test can read files under another TZ:
// prints readCloudTrail's result as JSON. Arguments: windowStart asOf account file…
import { readCloudTrail } from '../../src/connectors/aws/cloudtrail/read-cloudtrail.js';

const [windowStart, asOf, account, ...files] = process.argv.slice(2);
if (windowStart === undefined || asOf === undefined || account === undefined) throw new Error('usage: windowStart asOf account file…');
const result = await readCloudTrail({ files, account, windowStart, asOf, workers: 1 });
process.stdout.write(`${JSON.stringify(result)}\n`);
