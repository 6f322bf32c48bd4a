// The search engine behind the search page: reads the manifest that `digest build`
// wrote, fetches only the index shards a query needs, rebuilds a serialized lunr
// index from them and loads it with lunr.Index.load (it never builds an index).
// Scores equal those of the whole corpus-wide index: lunr scores a paper by
// dot(query vector, field vector) / |query vector|, and the shards hold every
// field-vector entry of the query's own terms (see digest/output/search/shards.py).
//
// Runs in the browser (window.PaperSearch) and in Node (module.exports), where
// the tests drive it against a built site.
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) module.exports = factory;
  else root.PaperSearch = factory(root.lunr);
})(this, function (lunr) {
  "use strict";

  var MANIFEST_VERSION = 1;
  var PROHIBITED = lunr.Query.presence.PROHIBITED;
  // "2405.14734", "arXiv:2405.14734v2": an arXiv id is indexed as one word of its digits.
  var ARXIV_ID = /(^|[^\p{L}\p{N}.])(?:arxiv:)?(\d{4})\.(\d{4,5})(?:v\d+)?(?![\p{L}\p{N}])/giu;

  // A prefix query `distill*` means "words starting with distill": the engine lists the
  // stems of those words on the clause, and lunr expands the clause to exactly them.
  var fromClause = lunr.TokenSet.fromClause;
  lunr.TokenSet.fromClause = function (clause) {
    return clause.expansion ? lunr.TokenSet.fromArray(clause.expansion) : fromClause(clause);
  };

  // `manifest`, optional: the manifest already fetched (the page's preload, handed to a worker).
  function Engine(manifestUrl, fetchJson, manifest) {
    this.base = manifestUrl.replace(/[^/]*$/, "");
    this.fetchJson = fetchJson;
    this.files = {};
    this.manifest = (manifest ? Promise.resolve(manifest) : fetchJson(manifestUrl)).then(function (manifest) {
      if (manifest.version !== MANIFEST_VERSION) throw new Error("unknown search manifest version " + manifest.version);
      // Split queries into words exactly as `digest build` split the papers (words.py).
      lunr.QueryLexer.termSeparator = lunr.tokenizer.separator = new RegExp(manifest.separator);
      manifest.stemmer = lunr.Pipeline.load(manifest.pipeline);
      return manifest;
    });
  }

  Engine.prototype.file = function (name) {
    if (!this.files[name]) this.files[name] = this.fetchJson(this.base + name);
    return this.files[name];
  };

  // The query as lunr parses it, with prefix clauses expanded and the shard files it needs.
  // Throws lunr.QueryParseError (inside the promise) for a query lunr cannot parse.
  Engine.prototype.prepare = function (queryString) {
    var engine = this;
    return this.manifest.then(function (manifest) {
      var query = new lunr.Query(manifest.fields);
      new lunr.QueryParser(normalize(queryString), query).parse();
      var need = neededKeys(query, manifest);
      var prefixes = need.prefixes;
      var wordFiles = unique(prefixes.map(function (p) { return filesInRange(manifest.words, p); }));
      return Promise.all(wordFiles.map(function (name) { return engine.file(name); })).then(function (shards) {
        var words = [].concat.apply([], shards);
        query.clauses.forEach(function (clause) {
          if (clause.prefix === undefined) return;
          clause.wordStems = stemsOfWordsStartingWith(clause.prefix, words);  // stems that start with it: in run()
          clause.wordStems.forEach(function (stem) { need.terms.push(stem); });
        });
        var termFiles = need.all ? manifest.terms.map(function (entry) { return entry[1]; }) : unique(
          need.terms.map(function (term) { return [fileFor(manifest.terms, term)]; })
            .concat(prefixes.map(function (p) { return filesInRange(manifest.terms, p); }))
            .concat(need.ranges.map(function (p) { return filesInRange(manifest.terms, p); })));
        return { query: query, termFiles: termFiles, everything: need.all, manifest: manifest };
      });
    });
  };

  // Load the shards a prepared query needs and return the lunr index they make up.
  Engine.prototype.indexFor = function (prepared) {
    var engine = this;
    return Promise.all(prepared.termFiles.map(function (name) { return engine.file(name); })).then(function (shards) {
      return assemble(prepared.manifest, [].concat.apply([], shards), prepared.everything);
    });
  };

  // Run a prepared query on a loaded index: lunr's results ({ref, score, matchData}), best first.
  Engine.prototype.run = function (prepared, index) {
    var terms = Object.keys(index.invertedIndex);
    // Copies: lunr's query() writes each clause's stemmed term back into the clause.
    var clauses = prepared.query.clauses.map(function (clause) {
      var copy = Object.assign({}, clause);
      if (clause.prefix === undefined) return copy;
      var stems = clause.wordStems.slice();
      terms.forEach(function (term) {
        if (term.lastIndexOf(clause.prefix, 0) === 0 && stems.indexOf(term) === -1) stems.push(term);
      });
      copy.expansion = stems.sort();
      return copy;
    });
    return index.query(function (query) {
      clauses.forEach(function (clause) { query.clauses.push(clause); });
    });
  };

  Engine.prototype.search = function (queryString) {
    var engine = this;
    return this.prepare(queryString).then(function (prepared) {
      return engine.indexFor(prepared).then(function (index) { return engine.run(prepared, index); });
    });
  };

  // What the search page shows of a query: how many papers match and what results start .. start + size
  // show. The last query's results are kept, so "Show more" neither searches again nor (in a worker) posts
  // thousands of results to the page.
  Engine.prototype.page = function (queryString, start, size) {
    var engine = this;
    if (!this.last || this.last.query !== queryString) {
      var last = this.last = { query: queryString, results: this.search(queryString) };
      last.results.catch(function () { if (engine.last === last) engine.last = null; });  // a failure is not kept
    }
    return this.last.results.then(function (results) {
      var refs = results.slice(start, start + size).map(function (result) { return result.ref; });
      return engine.documents(refs).then(function (docs) { return { total: results.length, docs: docs }; });
    });
  };

  // What each result shows, for lunr refs (base-36 paper numbers), in the same order.
  Engine.prototype.documents = function (refs) {
    var engine = this;
    return this.manifest.then(function (manifest) {
      var numbers = refs.map(function (ref) { return parseInt(ref, 36); });
      var names = unique(numbers.map(function (n) { return [manifest.chunks[Math.floor(n / manifest.docsPerChunk)]]; }));
      return Promise.all(names.map(function (name) { return engine.file(name); })).then(function () {
        return Promise.all(numbers.map(function (n) {
          return engine.file(manifest.chunks[Math.floor(n / manifest.docsPerChunk)]).then(function (chunk) {
            return chunk[n % manifest.docsPerChunk];
          });
        }));
      });
    });
  };

  function normalize(queryString) {
    return queryString.replace(ARXIV_ID, "$1$2$3");
  }

  // Which index keys each clause needs: exact stems, prefix ranges, or (fuzzy, leading
  // wildcard, a query of exclusions only) everything.
  function neededKeys(query, manifest) {
    var need = { terms: [], prefixes: [], ranges: [], all: false };
    var onlyProhibited = query.clauses.length > 0;
    query.clauses.forEach(function (clause) {
      if (clause.presence !== PROHIBITED) onlyProhibited = false;
      var star = clause.term.indexOf("*");
      if ("editDistance" in clause || star === 0) {
        need.all = true;
      } else if (star > 0) {
        var prefix = clause.term.slice(0, star);
        if (/^[^*]+\*+$/.test(clause.term)) {
          clause.prefix = prefix;
          need.prefixes.push(prefix);
        } else {
          need.ranges.push(prefix);
        }
      } else {
        manifest.stemmer.runString(clause.term).forEach(function (term) { need.terms.push(term); });
      }
    });
    if (onlyProhibited) need.all = true;  // lunr answers "-word" with every other paper
    return need;
  }

  function stemsOfWordsStartingWith(prefix, words) {
    var stems = [];
    words.forEach(function (pair) {
      if (pair[0].lastIndexOf(prefix, 0) === 0 && stems.indexOf(pair[1]) === -1) stems.push(pair[1]);
    });
    return stems;
  }

  // The shard whose range holds `key`: the last one whose first key is not after it.
  function shardIndex(ranges, key) {
    var low = 0, high = ranges.length - 1;
    while (low < high) {
      var middle = (low + high + 1) >> 1;
      if (ranges[middle][0] <= key) low = middle; else high = middle - 1;
    }
    return low;
  }

  function fileFor(ranges, key) {
    return ranges[shardIndex(ranges, key)][1];
  }

  function filesInRange(ranges, prefix) {
    var names = [];
    for (var i = shardIndex(ranges, prefix), last = shardIndex(ranges, prefix + "\uffff"); i <= last; i++) {
      names.push(ranges[i][1]);
    }
    return names;
  }

  function unique(lists) {
    var seen = {}, out = [];
    lists.forEach(function (list) {
      list.forEach(function (item) { if (!seen[item]) { seen[item] = true; out.push(item); } });
    });
    return out;
  }

  // A serialized lunr index made of some terms' records: [term, term index, postings per field],
  // postings as [paper number delta, score, ...]. Field vectors come out in the order lunr.py
  // wrote them (paper by paper, field by field), entries sorted by term index, as lunr keeps them.
  function assemble(manifest, records, everything) {
    var fields = manifest.fields, width = fields.length;
    var vectors = {};
    var invertedIndex = records.map(function (record) {
      var termIndex = record[1], posting = { _index: termIndex };
      fields.forEach(function (field, column) {
        var refs = {}, list = record[2 + column], number = 0;
        for (var i = 0; i < list.length; i += 2) {
          number = i === 0 ? list[0] : number + list[i];
          var ref = number.toString(36), key = number * width + column;
          refs[ref] = {};
          (vectors[key] || (vectors[key] = [])).push([termIndex, list[i + 1]]);
        }
        posting[field] = refs;
      });
      return [record[0], posting];
    });
    invertedIndex.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    var keys = [];
    if (everything) {
      for (var key = 0; key < manifest.documents * width; key++) keys.push(key);
    } else {
      keys = Object.keys(vectors).map(Number).sort(function (a, b) { return a - b; });
    }
    var fieldVectors = keys.map(function (key) {
      var entries = (vectors[key] || []).sort(function (a, b) { return a[0] - b[0]; });
      var flat = [];
      entries.forEach(function (entry) { flat.push(entry[0], entry[1]); });
      return [fields[key % width] + "/" + Math.floor(key / width).toString(36), flat];
    });
    return lunr.Index.load({
      version: manifest.lunr, fields: fields, fieldVectors: fieldVectors,
      invertedIndex: invertedIndex, pipeline: manifest.pipeline
    });
  }

  return { Engine: Engine, normalize: normalize };
});
