// A CAT tool's round trip through the npm package `xliff` (xliff2js, then
// js2xliff): every unit gets a target made from its source, prefixed "FR ",
// with the inline codes kept as the tool shows them; the call to action's
// link is moved to the front, as a translator may.
//
//   node xliff_translate.js IN.xlf OUT.xlf   (with `xliff` in NODE_PATH)
const { xliff2js, js2xliff } = require('xliff');
const fs = require('fs');
const [input, output] = process.argv.slice(2);
xliff2js(fs.readFileSync(input, 'utf8'), (err, res) => {
  if (err) throw err;
  for (const units of Object.values(res.resources)) {
    for (const [id, unit] of Object.entries(units)) {
      const source = Array.isArray(unit.source) ? unit.source : [unit.source];
      let target = ['FR ', ...source];
      if (id === 'organisation.call-to-action') {
        const link = source.find((p) => p.Span && p.Span.type === 'link');
        const rest = source.filter((p) => p !== link);
        target = ['FR ', link, ' : ', ...rest];
      }
      unit.target = target;
    }
  }
  js2xliff(res, (err2, xml) => {
    if (err2) throw err2;
    fs.writeFileSync(output, xml);
  });
});
