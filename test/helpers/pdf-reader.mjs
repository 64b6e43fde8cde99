// Prints the text of each page of a PDF file as a JSON array, parsed by pdf.js (Mozilla's PDF reader). A separate
// Node process, because pdf.js is an ES module and Jest runs CommonJS.
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const data = new Uint8Array(await readFile(process.argv[2]));
const pdf = await getDocument({ data, useSystemFonts: false, disableFontFace: true, verbosity: 0 }).promise;
const pages = [];
for (let n = 1; n <= pdf.numPages; n++) {
  const content = await (await pdf.getPage(n)).getTextContent();
  pages.push(content.items.map((item) => item.str).join('\n'));
}
process.stdout.write(JSON.stringify(pages));
