import { launchBrowser, newPage, url, open } from './lib.mjs';
import { writeFileSync } from 'node:fs';
const b = await launchBrowser();
const p = await newPage(b);
await open(p, process.argv[2]);
await p.locator('main').getByRole('button', { name: 'Sign in', exact: true }).click();
await p.waitForURL(/\/account/);
for (const path of ['/desk/surveys', '/desk/surveys/1', '/desk/giveaways', '/desk/giveaways/1', '/']) {
  await open(p, url(path));
  writeFileSync('/tmp/kwx/x/' + path.replace(/\//g, '_') + '.html', await p.content());
}
console.log(p.problems());
await b.close();
