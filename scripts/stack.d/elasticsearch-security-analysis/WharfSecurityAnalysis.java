// The three analysis components Elasticsearch's .security index needs (its "email" analyzer:
// tokenizer uax_url_email, filters pattern_capture and unique) but that only the analysis-common
// module provides, which Maven Central's integ-test distribution lacks. Without them the secured
// node cannot store native users, native roles or API keys. Built by scripts/stack.d/
// elasticsearch-secure.sh into the secured node's own copy of the distribution, never the plain
// node's. Same names and settings as analysis-common's, on the same Lucene classes.
package wharf.stack;

import java.io.IOException;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

public class WharfSecurityAnalysis extends Plugin implements AnalysisPlugin {
  @Override
  public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
    return Map.of(
        "pattern_capture", (indexSettings, env, name, settings) -> {
          Pattern[] patterns = settings.getAsList("patterns").stream().map(Pattern::compile).toArray(Pattern[]::new);
          boolean preserveOriginal = settings.getAsBoolean("preserve_original", true);
          return new AbstractTokenFilterFactory(name, settings) {
            @Override
            public TokenStream create(TokenStream input) {
              return new PatternCaptureGroupTokenFilter(input, preserveOriginal, patterns);
            }
          };
        },
        "unique", (indexSettings, env, name, settings) -> new AbstractTokenFilterFactory(name, settings) {
          @Override
          public TokenStream create(TokenStream input) {
            return new UniqueFilter(input);
          }
        });
  }

  @Override
  public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
    return Map.of("uax_url_email", (indexSettings, env, name, settings) -> TokenizerFactory.newFactory(name, UAX29URLEmailTokenizer::new));
  }

  /** Drops every token already seen in the stream (analysis-common's "unique" default). */
  static final class UniqueFilter extends TokenFilter {
    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private final CharArraySet seen = new CharArraySet(8, false);

    UniqueFilter(TokenStream input) {
      super(input);
    }

    @Override
    public boolean incrementToken() throws IOException {
      while (input.incrementToken()) {
        if (!seen.contains(term.buffer(), 0, term.length())) {
          seen.add(term.toString());
          return true;
        }
      }
      return false;
    }

    @Override
    public void reset() throws IOException {
      super.reset();
      seen.clear();
    }
  }
}
