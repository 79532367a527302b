// Print the general-category major classes of an @unicode/unicode-X.Y.Z npm
// package as "VERSION" then "LO HI C" lines (hex, C one of L N P M S), the
// input of `tools/gen_unicode.py -`. For the Unicode version that
// llama.cpp's tables use (15.1.0):
//   npm pack @unicode/unicode-15.1.0 && tar xzf unicode-unicode-15.1.0-*.tgz
//   node tools/ucd_categories.mjs package | python3 tools/gen_unicode.py - > ai/unicode_data.c
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const dir = resolve(process.argv[2] || 'package');
const version = JSON.parse(readFileSync(dir + '/package.json')).name.replace(/^.*unicode-/, '');
const classes = { Letter: 'L', Number: 'N', Punctuation: 'P', Mark: 'M', Symbol: 'S' };
const cat = new Map();
for (const [name, c] of Object.entries(classes)) {
	const ranges = (await import(dir + '/General_Category/' + name + '/ranges.mjs')).default;
	for (const r of ranges)
		for (const cp of r.keys())
			cat.set(cp, c);
}
console.log(version);
let lo = -1, prev = null;
for (let cp = 0; cp <= 0x110000; cp++) {
	const c = cp < 0x110000 ? cat.get(cp) || null : null;
	if (c !== prev) {
		if (prev !== null)
			console.log(lo.toString(16) + ' ' + (cp - 1).toString(16) + ' ' + prev);
		lo = cp;
		prev = c;
	}
}
