/**
 * Text to token ids and back, giving the same ids as llama.cpp for the same GGUF vocabulary.
 *
 * <p>{@link dev.vela.tokenizer.Tokenizer#from} reads the {@link dev.vela.tokenizer.Vocabulary} from
 * the file's metadata and picks the algorithm by {@code tokenizer.ggml.model}:
 * <ul>
 *   <li>{@code llama}: {@link dev.vela.tokenizer.SentencePieceTokenizer}, LLaMA 1/2, Mistral, Phi-3 style
 *       (merge by score, {@code ▁} for spaces, byte fallback);</li>
 *   <li>{@code gpt2}: {@link dev.vela.tokenizer.BytePairTokenizer}, Llama 3, Qwen2, SmolLM style
 *       (pre-tokenizer from {@code tokenizer.ggml.pre}, bytes as GPT-2 characters, merge by rank).</li>
 * </ul>
 * Both first cut special-token texts out of the input (see {@code SpecialTokenSplitter}). Decoding is
 * per token ({@code tokenBytes}), per sequence ({@code decode}, llama.cpp's detokenize) or streamed
 * ({@link dev.vela.tokenizer.StreamDecoder}, which never splits a UTF-8 character).
 */
package dev.vela.tokenizer;
