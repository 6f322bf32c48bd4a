// The search engine behind the search page: reads the manifest that `digest build`
// wrote, fetches only the index shards a query needs, rebuilds a serialized lunr
// index from them and loads it with lunr.Index.load (it never builds an index).
// Scores equal those of the whole corpus-wide index: lunr scores a paper by
// dot(query vector, field vector) / |query vector|, and the shards hold every
// field-vector entry of the query's own terms (see digest/output/search/shards.py).
//
// Every clause gets the exact list of index terms it stands for (its expansion), worked out
// here from the index it runs on, so the shards and the whole index expand it alike:
// - a word: its stem for the fields other than the author's, and for the author field the
//   word folded (accents dropped), unstemmed, ended by the author mark (words.py);
// - `distill*`: the stems of the words starting with it (word files) and the terms that do;
// - `difusion~1`: the words within one edit (lunr's own fuzzy match, over the vocabulary files of
//   words as typed), each as its stem, and the names within one edit; numbers left out.
// Results that match every word of the query come first (of those, first the papers whose
// authors hold every word of a query of two or more: a name such as `Tri Dao`); a word that
// matches nothing is tried again at one or two edits, and the page says so.
//
// Runs in the browser (window.PaperSearch) and in Node (module.exports), where
// the tests drive it against a built site.
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) module.exports = factory;
  else root.PaperSearch = factory(root.lunr);
})(this, function (lunr) {
  "use strict";

  var MANIFEST_VERSION = 2;
  var PROHIBITED = lunr.Query.presence.PROHIBITED;
  // "2405.14734", "arXiv:2405.14734v2": an arXiv id is indexed as one word of its digits.
  var ARXIV_ID = /(^|[^\p{L}\p{N}.])(?:arxiv:)?(\d{4})\.(\d{4,5})(?:v\d+)?(?![\p{L}\p{N}])/giu;
  var NUMBER = /^[0-9]+$/;  // terms close spellings never reach (shards.py's NUMBER): arXiv ids, years
  // A word that matches nothing is tried again if it has CLOSE_WORD letters or more, at one edit, or when
  // nothing is one edit away and it has CLOSE_TWO letters or more, at two.
  var CLOSE_WORD = 5, CLOSE_TWO = 9;

  // Each clause carries its expansion (the index terms it means) and lunr looks up exactly those.
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
      manifest.foldMarks = new RegExp(manifest.names.fold, "g");
      return manifest;
    });
  }

  Engine.prototype.file = function (name) {
    if (!this.files[name]) this.files[name] = this.fetchJson(this.base + name);
    return this.files[name];
  };

  Engine.prototype.load = function (names) {
    var engine = this;
    return Promise.all(names.map(function (name) { return engine.file(name); }));
  };

  // The query as lunr parses it, each clause planned, and the shard files it needs.
  // Throws lunr.QueryParseError (inside the promise) for a query lunr cannot parse.
  Engine.prototype.prepare = function (queryString) {
    var engine = this;
    return this.manifest.then(function (manifest) {
      var query = new lunr.Query(manifest.fields);
      new lunr.QueryParser(normalize(queryString), query).parse();
      return engine.prepareQuery(query, manifest);
    });
  };

  Engine.prototype.prepareQuery = function (query, manifest) {
    var mark = manifest.names.mark;
    var plans = query.clauses.map(function (clause) { return plan(clause, manifest); });
    var need = { terms: [], ranges: [], all: isNegated(query) };  // lunr answers "-word" with every other paper
    var wordFiles = [], nameFiles = [], lengths = [];
    plans.forEach(function (p, i) {
      if (p.kind === "exact") {
        if (p.stems) need.terms.push(p.stem);
        if (p.names) nameFiles.push([fileFor(manifest.names.lists, p.folded)]);  // is it a name? then its shard
      } else if (p.kind === "prefix") {
        if (p.stems) {
          need.ranges.push(p.prefix);
          wordFiles.push(filesInRange(manifest.words, p.prefix));
        }
        if (p.names) need.ranges.push(p.namePrefix);
      } else if (p.kind === "pattern") {
        if (!p.start) need.all = true;  // a leading wildcard: any term
        if (p.stems) need.ranges.push(p.start);
        if (p.names) need.ranges.push(fold(manifest, p.start));
      } else if (p.wild) {
        need.all = true;
      } else {
        lengths = lengths.concat(fuzzyLengths(p, query.clauses[i].editDistance, manifest.vocabulary));
      }
    });
    var vocabularyFiles = unique(lengths.map(function (range) {
      return filesForLengths(range[0], range[1], range[2]);
    }));
    // The shards known to be needed start loading now, beside the lists that tell which others are.
    this.load(termFiles(manifest, need)).catch(function () {});  // a failure is reported where they are used
    var loading = [unique(wordFiles), unique(nameFiles), vocabularyFiles, [manifest.prior.file]].map(this.load, this);
    return Promise.all(loading).then(function (loaded) {
      var words = [].concat.apply([], loaded[0]), names = [].concat.apply([], loaded[1]);
      var vocabulary = lengths.length ? tokenSetOf([].concat.apply([], loaded[2])) : null;
      plans.forEach(function (p, i) {
        if (p.kind === "exact" && p.names && names.indexOf(p.folded) !== -1) {
          need.terms.push(p.name);
        } else if (p.kind === "prefix" && p.stems) {
          p.wordStems = stemsOfWordsStartingWith(p.prefix, words);  // stems that start with it: in expand()
          need.terms = need.terms.concat(p.wordStems);
        } else if (p.kind === "fuzzy" && !p.wild) {
          var clause = query.clauses[i];
          p.distance = clause.nearest ? nearest(vocabulary, p, clause.editDistance, mark) : clause.editDistance;
          p.closeStems = p.stems ? unique([closeWords(vocabulary, p.word, p.distance, mark).map(function (word) {
            return manifest.stemmer.runString(word)[0];
          })]) : [];
          need.terms = need.terms.concat(p.closeStems, p.names ? closeNames(vocabulary, p.name, p.distance, mark) : []);
        }
      });
      return { query: query, plans: plans, termFiles: termFiles(manifest, need), everything: need.all,
               manifest: manifest, prior: loaded[3][0] };
    });
  };

  // Load the shards a prepared query needs and return the lunr index they make up.
  Engine.prototype.indexFor = function (prepared) {
    return this.load(prepared.termFiles).then(function (shards) {
      return assemble(prepared.manifest, [].concat.apply([], shards), prepared.everything);
    });
  };

  // Run a prepared query on a loaded index: lunr's results ({ref, score, matchData}), best score first.
  Engine.prototype.run = function (prepared, index) {
    return query(prepared, index, expansions(prepared, index));
  };

  // The query's results on a loaded index, each score times the paper's upvote prior, those matching every word
  // first (each part best score first): {results, all: how many match every word, words: how many words count,
  // missing: clauses matching nothing}.
  Engine.prototype.rank = function (prepared, index) {
    var expanded = expansions(prepared, index);
    return tiers(prepared, index, expanded, withPrior(prepared, query(prepared, index, expanded)));
  };

  // The ranked answer to a query (see rank), tried again with close spellings when a word matches nothing and
  // that finds more papers matching every word: then `close` is true. `indexFor` (optional, for the tests) gives
  // the index to run a prepared query on; by default the one its shards make up.
  Engine.prototype.search = function (queryString, indexFor) {
    var engine = this;
    function answer(prepared) {
      return (indexFor ? indexFor(prepared) : engine.indexFor(prepared)).then(function (index) {
        return engine.rank(prepared, index);
      });
    }
    return this.prepare(queryString).then(function (prepared) {
      return answer(prepared).then(function (exact) {
        var retry = closeSpellings(prepared, exact.missing);
        if (!retry) return exact;
        return engine.prepareQuery(retry, prepared.manifest).then(answer).then(function (close) {
          if (!(close.all > exact.all || (!exact.results.length && close.results.length))) return exact;
          close.close = true;
          return close;
        });
      });
    });
  };

  // What the search page shows of a query: how many papers match (all words, and in all), whether these are
  // close spellings, and what results start .. start + size show. The last query's results are kept, so
  // "Show more" neither searches again nor (in a worker) posts thousands of results to the page.
  Engine.prototype.page = function (queryString, start, size) {
    var engine = this;
    if (!this.last || this.last.query !== queryString) {
      var last = this.last = { query: queryString, results: this.search(queryString) };
      last.results.catch(function () { if (engine.last === last) engine.last = null; });  // a failure is not kept
    }
    return this.last.results.then(function (answer) {
      var refs = answer.results.slice(start, start + size).map(function (result) { return result.ref; });
      return engine.documents(refs).then(function (docs) {
        return { total: answer.results.length, all: answer.all, words: answer.words, close: answer.close, docs: docs };
      });
    });
  };

  // What each result shows, for lunr refs (base-36 paper numbers), in the same order.
  Engine.prototype.documents = function (refs) {
    var engine = this;
    return this.manifest.then(function (manifest) {
      var numbers = refs.map(function (ref) { return parseInt(ref, 36); });
      var names = unique(numbers.map(function (n) { return [manifest.chunks[Math.floor(n / manifest.docsPerChunk)]]; }));
      return engine.load(names).then(function () {
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

  // A word as the author field holds it, before its mark: lowercased (lunr did that), accents dropped (words.py).
  function fold(manifest, word) {
    return word.normalize("NFD").replace(manifest.foldMarks, "");
  }

  // How a clause finds its terms: `stems` when it searches a field other than the author's (the stem,
  // lunr's pipeline), `names` when it searches the author field (the folded word, marked).
  function plan(clause, manifest) {
    var names = manifest.names, term = clause.term, star = term.indexOf("*");
    var p = {
      stems: clause.fields.some(function (field) { return field !== names.field; }),
      names: clause.fields.indexOf(names.field) !== -1
    };
    if ("editDistance" in clause) {
      p.kind = "fuzzy";
      p.wild = star !== -1;  // `dist*~1`: lunr's own match over the index's terms (and every shard)
      p.word = term;
      p.stem = clause.usePipeline ? manifest.stemmer.runString(term)[0] : term;
      p.folded = fold(manifest, term);
      p.name = p.folded + names.mark;
    } else if (star === -1) {
      p.kind = "exact";
      p.stem = manifest.stemmer.runString(term)[0];
      p.folded = fold(manifest, term);
      p.name = p.folded + names.mark;
    } else if (/^[^*]+\*+$/.test(term)) {
      p.kind = "prefix";
      p.prefix = term.slice(0, star);
      p.namePrefix = fold(manifest, p.prefix);  // names are the terms starting with it that end with the mark
    } else {
      p.kind = "pattern";
      p.start = term.slice(0, star);
      p.pattern = term;
      p.namePattern = fold(manifest, term) + names.mark;
    }
    return p;
  }

  // The term shards holding `need`: its terms, its prefix ranges, or every shard.
  function termFiles(manifest, need) {
    if (need.all) return manifest.terms.map(function (entry) { return entry[1]; });
    return unique(need.terms.map(function (term) { return [fileFor(manifest.terms, term)]; })
      .concat(need.ranges.map(function (prefix) { return filesInRange(manifest.terms, prefix); })));
  }

  function isNegated(query) {
    return query.clauses.length > 0 &&
      query.clauses.every(function (clause) { return clause.presence === PROHIBITED; });
  }

  // The vocabulary a fuzzy clause can reach: within d edits of n letters lie words of n - d to n + d letters
  // (a name's counted without its mark), as [files by length, shortest, longest].
  function fuzzyLengths(p, distance, vocabulary) {
    var ranges = [];
    if (p.stems) ranges.push([vocabulary.words, p.word.length - distance, p.word.length + distance]);
    if (p.names) ranges.push([vocabulary.names, p.folded.length - distance, p.folded.length + distance]);
    return ranges;
  }

  // The fewest edits, up to `most`, that reach some word or name of the vocabulary (the retry's close spellings
  // are the closest ones: "hallucinaton" means hallucination, not every word two edits away).
  function nearest(vocabulary, p, most, mark) {
    for (var distance = 1; distance < most; distance++) {
      if ((p.stems && closeWords(vocabulary, p.word, distance, mark).length) ||
          (p.names && closeNames(vocabulary, p.name, distance, mark).length)) return distance;
    }
    return most;
  }

  function isName(term, mark) {
    return term.charAt(term.length - 1) === mark;
  }

  // lunr's fuzzy match of `word` in `tokenSet`, names and numbers left out: in the vocabulary files the words
  // within `distance` edits of a typed word, in an index (`dist*~1`) the terms.
  function closeWords(tokenSet, word, distance, mark) {
    return tokenSet.intersect(lunr.TokenSet.fromFuzzyString(word, distance)).toArray().filter(function (term) {
      return !isName(term, mark) && !NUMBER.test(term);
    });
  }

  // lunr's fuzzy match of a marked, folded name among the names of `tokenSet` (vocabulary files or an index).
  function closeNames(tokenSet, name, distance, mark) {
    return tokenSet.intersect(lunr.TokenSet.fromFuzzyString(name, distance)).toArray().filter(function (term) {
      return isName(term, mark) && !NUMBER.test(term.slice(0, -1));
    });
  }

  // The terms of `tokenSet` a wildcard pattern matches, names or not.
  function matching(tokenSet, pattern, names, mark) {
    return tokenSet.intersect(lunr.TokenSet.fromString(pattern)).toArray().filter(function (term) {
      return isName(term, mark) === names;
    });
  }

  // Each clause's expansion, from the index it runs on.
  function expansions(prepared, index) {
    var mark = prepared.manifest.names.mark, tokenSet = index.tokenSet;
    return prepared.query.clauses.map(function (clause, i) {
      var p = prepared.plans[i], terms = [];
      if (p.kind === "exact") {
        if (p.stems) terms.push(p.stem);
        if (p.names) terms.push(p.name);
      } else if (p.kind === "prefix") {
        if (p.stems) terms = terms.concat(p.wordStems, matching(tokenSet, p.prefix + "*", false, mark));
        if (p.names) terms = terms.concat(matching(tokenSet, p.namePrefix + "*", true, mark));
      } else if (p.kind === "pattern") {
        if (p.stems) terms = terms.concat(matching(tokenSet, p.pattern, false, mark));
        if (p.names) terms = terms.concat(matching(tokenSet, p.namePattern, true, mark));
      } else if (p.wild) {
        if (p.stems) terms = closeWords(tokenSet, p.stem, clause.editDistance, mark);
        if (p.names) terms = terms.concat(closeNames(tokenSet, p.name, clause.editDistance, mark));
      } else {  // the close words' stems (from the vocabulary) and the close names this index holds
        terms = p.closeStems.concat(p.names ? closeNames(tokenSet, p.name, p.distance, mark) : []);
      }
      return unique([terms]).sort();
    });
  }

  function query(prepared, index, expanded) {
    // Copies: lunr's query() writes each clause's stemmed term back into the clause.
    var clauses = prepared.query.clauses.map(function (clause, i) {
      return Object.assign({}, clause, { expansion: expanded[i] });
    });
    return index.query(function (q) {
      clauses.forEach(function (clause) { q.clauses.push(clause); });
    });
  }

  // Each score times 1 + weight * level / levels, the paper's upvote prior (index.py's upvote_levels): at most
  // `weight` more, so it orders papers that match about equally well and never lifts one that does not match.
  // Equal scores keep lunr's order.
  function withPrior(prepared, results) {
    var prior = prepared.manifest.prior, levels = prepared.prior;
    return results.map(function (result, position) {
      var level = parseInt(levels.charAt(parseInt(result.ref, 36)), 36) || 0;
      return { ref: result.ref, score: result.score * (1 + prior.weight * level / prior.levels),
               matchData: result.matchData, position: position };
    }).sort(function (a, b) { return b.score - a.score || a.position - b.position; });
  }

  // The papers holding any of `terms` in one of `fields`, as an object of refs; null for none.
  function papersWith(index, fields, terms) {
    var refs = Object.create(null), found = false;
    terms.forEach(function (term) {
      var posting = index.invertedIndex[term];
      if (!posting) return;
      fields.forEach(function (field) {
        Object.keys(posting[field]).forEach(function (ref) { refs[ref] = found = true; });
      });
    });
    return found ? refs : null;
  }

  // Results matching every word first, and of those first the papers whose authors hold every word of a query
  // of two or more (a name: `Tri Dao` before a paper "trying" something by a Dao; `Kaiming He`). A word is a
  // clause neither prohibited nor a stop word ("of" in "mixture of experts": the text fields drop it, and that
  // some author is called Of must not decide which papers have every word); a stop word still counts as a name.
  function tiers(prepared, index, expanded, results) {
    var field = prepared.manifest.names.field, mark = prepared.manifest.names.mark;
    var words = [], names = [], missing = [];
    prepared.query.clauses.forEach(function (clause, i) {
      if (clause.presence === PROHIBITED) return;
      var asName = prepared.plans[i].names && papersWith(index, [field], expanded[i].filter(function (term) {
        return isName(term, mark);
      }));
      names.push(asName || {});
      if (lunr.stopWordFilter(clause.term) === undefined) return;
      var refs = papersWith(index, clause.fields, expanded[i]);
      words.push(refs || {});
      if (!refs) missing.push(i);
    });
    var byName = [], every = [], some = [];
    results.forEach(function (result) {
      var ref = result.ref;
      if (!words.every(function (refs) { return refs[ref]; })) some.push(result);
      else if (names.length > 1 && names.every(function (refs) { return refs[ref]; })) byName.push(result);
      else every.push(result);
    });
    return { results: byName.concat(every, some), all: byName.length + every.length, words: words.length,
             missing: missing, close: false };
  }

  // The query again with the words that match nothing (the `missing` clauses) at one or two edits, or null when
  // none of them is long enough.
  function closeSpellings(prepared, missing) {
    var changed = false;
    var retry = new lunr.Query(prepared.manifest.fields);
    retry.clauses = prepared.query.clauses.map(function (clause, i) {
      var copy = Object.assign({}, clause), p = prepared.plans[i];
      if (missing.indexOf(i) !== -1 && p.kind === "exact" && clause.term.length >= CLOSE_WORD) {
        copy.editDistance = clause.term.length >= CLOSE_TWO ? 2 : 1;
        copy.nearest = true;  // the fewest edits that find something (see nearest)
        changed = true;
      }
      return copy;
    });
    return changed ? retry : null;
  }

  function stemsOfWordsStartingWith(prefix, words) {
    var stems = [];
    words.forEach(function (pair) {
      if (pair[0].lastIndexOf(prefix, 0) === 0 && stems.indexOf(pair[1]) === -1) stems.push(pair[1]);
    });
    return stems;
  }

  function tokenSetOf(terms) {
    return lunr.TokenSet.fromArray(terms.slice().sort());
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

  // The vocabulary files holding terms of `shortest` to `longest` letters (`ranges`: [first length, file]).
  function filesForLengths(ranges, shortest, longest) {
    return ranges.filter(function (entry, i) {
      return entry[0] <= longest && (i + 1 === ranges.length || ranges[i + 1][0] > shortest);
    }).map(function (entry) { return entry[1]; });
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
