"""The decode engine behind Generator on CPU: greedy batched decoding without generate()'s waste.

transformers' `generate` spends a batch of descriptions on work that changes no token: every
row's prompt padded to the longest, the same system prompt recomputed in every row, the KV cache
grown by `torch.cat` (a copy of the whole cache per step, 27% of a decode step measured here),
finished rows decoded on until the longest row ends, and fp32 matmuls on a CPU with native bf16
dot products. This engine does the same arithmetic on less:

- **The shared prompt prefix is computed once** per loaded model (the system prompt and the
  user turn's header, identical in every row) and copied into each row's cache.
- **No padding**: each row's own part of the prompt is prefilled on its own, at its own length;
  a row's positions and keys are exactly those it would have alone.
- **A preallocated cache**, filled from the left: keys and values are written in place.
- **Finished rows leave the batch**: once a quarter of the rows are done the cache is compacted,
  so the tail of a batch is decoded at the size of what is still being written.
- **Fused projections** (q/k/v as one matmul, gate/up as one) in `matmul_dtype`: bfloat16 where
  the CPU has native bf16 dot products (AVX512_BF16, AMX), which is 2.2-2.4x fp32's matmul
  throughput here; activations, norms, attention and logits stay fp32. On 32 valid products
  the bf16 engine wrote the same text as fp32 `generate` for 32 of 32 (bench/engine_agreement.py).

Candidates measured and not taken (bench/RESULTS.md): torch's dynamic int8 (per-tensor
activations) changed 14 of 16 drafts and broke number grounding in some; int8 with per-token
activations kept 19 of 32 and was slower than bf16; llama.cpp (llama-cpp-python) on the model's
own Q4_1 GGUF prefilled 237-312 tokens/s here, below torch fp32, and needs a 4.5-minute native
build; CTranslate2 has no per-step logits processor, so number grounding and the decode-time
claim bans could not run.

The embedding, RMSNorm and rotary embedding are the loaded model's own modules, so a
Llama-architecture base a user brings runs unchanged (`supports`). Logits processors see what
they see under `generate`: the left-padded prompt matrix with the generated tokens appended,
finished rows padded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

COMPACT_SHARE = 0.25
"""Compact the cache once this share of its rows has finished (one copy of the cache each time)."""
MIN_DECODE_ROWS = 4
"""A decode step multiplies at least this many rows. Matmuls of 1 to 3 rows take other kernels
here (fp32 from 1-3 rows, bf16 at 1), whose sums round differently: a product alone would get
other text than in a batch, and a redelivered event must get the same text whatever batch it
lands in. Spare rows repeat a finished row (their tokens are discarded)."""


def supports(model) -> bool:
    """Llama-architecture decoders (SmolLM2, Llama, GQA without sliding windows or biases)."""
    config = model.config
    return (config.model_type == "llama" and not getattr(config, "attention_bias", False)
            and not getattr(config, "mlp_bias", False) and getattr(config, "hidden_act", "silu") == "silu")


def native_bf16() -> bool:
    """Whether this CPU multiplies bf16 natively (oneDNN's check): emulated bf16 is slower than fp32."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


ATTENTION_GROUP = 8
"""Rows per padded attention call when prompts are prefilled (sorted by length first)."""
PACK_FOR_ROWS = 32
"""The row count oneDNN lays packed weights out for (any count works; results are the same bits)."""


def packs_weights() -> bool:
    """Whether this torch has oneDNN's prepacked linear (the op torch.compile's CPU freezing uses):
    measured here, 1.9x plain bf16 matmuls at 4 rows a step, 1.5x at 32, 1.05x at 3,700 prompt
    tokens, bit for bit the same products (tests/test_engine.py)."""
    ops = torch.ops.mkldnn
    return torch.backends.mkldnn.is_available() and hasattr(ops, "_reorder_linear_weight") and hasattr(ops, "_linear_pointwise")


@dataclass
class _Layer:
    input_norm: torch.Tensor  # RMSNorm weights (F.rms_norm: one op, bitwise what LlamaRMSNorm computes)
    post_norm: torch.Tensor
    qkv: torch.Tensor  # [hidden, q + k + v], matmul_dtype
    o: torch.Tensor
    gate_up: torch.Tensor  # [hidden, 2 * intermediate]
    down: torch.Tensor


@dataclass
class Timings:
    """Where the engine's time went since it was built (bench/generation.py reports the shares)."""

    prefill_seconds: float = 0.0
    decode_seconds: float = 0.0
    processor_seconds: float = 0.0
    prefill_tokens: int = 0
    decode_steps: int = 0


@dataclass
class _Group:
    """Rows whose prompts attend in one padded call (see DecodeEngine._attention_groups)."""

    rows: torch.Tensor  # cache rows
    local_rows: torch.Tensor  # per token: its row's index within the group
    columns: torch.Tensor  # per token: its index among its row's new tokens
    tokens: torch.Tensor  # the packed tokens of these rows
    width: int
    end: int
    bias: torch.Tensor


@dataclass
class _Cache:
    keys: list[torch.Tensor]  # per layer: [rows, kv_heads, capacity, head_dim]
    values: list[torch.Tensor]
    lengths: torch.Tensor  # [rows]: tokens held per row


class DecodeEngine:
    """Greedy decoding of a batch of prompts that share a prefix, on one loaded Llama-style model.

    Built from a loaded (adapter-merged) model, whose projection weights it takes over layer by
    layer: the fp32 originals are released as each fused copy is made, so loading never holds
    both.
    """

    def __init__(self, model, prefix_ids: list[int], matmul_dtype: torch.dtype = torch.float32):
        config = model.config
        decoder = model.model
        self.heads = config.num_attention_heads
        self.kv_heads = config.num_key_value_heads
        self.head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
        self.intermediate = config.intermediate_size
        self.matmul_dtype = matmul_dtype
        self.embed = decoder.embed_tokens
        # Own copies of what stays fp32: a tensor still viewing the model file's memory map keeps the
        # whole mapping resident (measured: 454 MB of file pages counted in RSS after loading).
        self.embed.weight = torch.nn.Parameter(self.embed.weight.detach().clone(), requires_grad=False)
        decoder.norm.weight = torch.nn.Parameter(decoder.norm.weight.detach().clone(), requires_grad=False)
        self.rotary = decoder.rotary_emb
        self.norm = decoder.norm
        self.device = self.embed.weight.device
        self.dtype = self.embed.weight.dtype
        self.packed = matmul_dtype == torch.bfloat16 and self.device.type == "cpu" and packs_weights()
        self.lm_head = self._weight(model.lm_head)
        self.layers = []
        for layer in decoder.layers:
            attention, mlp = layer.self_attn, layer.mlp
            self.layers.append(_Layer(
                layer.input_layernorm.weight.detach().clone(), layer.post_attention_layernorm.weight.detach().clone(),
                self._weight(attention.q_proj, attention.k_proj, attention.v_proj), self._weight(attention.o_proj),
                self._weight(mlp.gate_proj, mlp.up_proj), self._weight(mlp.down_proj)))
            for holder, names in ((attention, ("q_proj", "k_proj", "v_proj", "o_proj")), (mlp, ("gate_proj", "up_proj", "down_proj"))):
                for name in names:
                    setattr(holder, name, None)  # the fused copy replaces it; the model is not run by generate any more
        self.scaling = self.head_dim ** -0.5
        self.eps = config.rms_norm_eps
        self.prefix_ids = list(prefix_ids)
        self._prefix: tuple[list[torch.Tensor], list[torch.Tensor]] | None = None
        self.timings = Timings()

    def _weight(self, *linears) -> torch.Tensor:
        """The linears' weights as one matrix: [out, in] packed for oneDNN, else [in, out] for a plain matmul."""
        weight = torch.cat([linear.weight.detach().to(self.matmul_dtype) for linear in linears], dim=0)
        return torch.ops.mkldnn._reorder_linear_weight(weight, PACK_FOR_ROWS) if self.packed else weight.t().contiguous()

    def _mm(self, x: torch.Tensor, weight: torch.Tensor, keep: bool = False) -> torch.Tensor:
        """x @ weight in matmul_dtype; the result back in the residual stream's dtype unless `keep`."""
        x = x.to(self.matmul_dtype)
        if self.packed:
            product = torch.ops.mkldnn._linear_pointwise(x.reshape(-1, x.shape[-1]), weight, None, "none", [], "")
            product = product.view(*x.shape[:-1], product.shape[-1])
        else:
            product = x @ weight
        return product if keep else product.to(self.dtype)

    # -- the forward pass, with the cache written in place -------------------------------------

    def _norm(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.rms_norm(x, (x.shape[-1],), weight, self.eps)

    def _rotate(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        """Rotary embedding of queries and keys together ([1, tokens, heads, dim]): transformers' formula, one pass."""
        half = x.shape[-1] // 2
        return x * cos + torch.cat((-x[..., half:], x[..., :half]), dim=-1) * sin

    def _attention_groups(self, rows: torch.Tensor, columns: torch.Tensor, lengths: torch.Tensor, dtype) -> list[_Group]:
        """Rows of similar length attend together: the padded view of each group is nearly full.

        One padded view for a whole batch measured 1.8x the attention arithmetic of the rows alone
        (a 180-token row pads 32 rows to 180); groups of ATTENTION_GROUP rows sorted by length pad
        little, and few calls keep the per-call overhead small. Padding adds exact zeros to the
        softmax sums, so a row's result does not depend on its group.
        """
        counts = torch.bincount(rows, minlength=lengths.numel())
        order = torch.argsort(counts, stable=True)
        groups = []
        for start in range(0, order.numel(), ATTENTION_GROUP):
            members = order[start:start + ATTENTION_GROUP]
            local = torch.full((lengths.numel(),), -1, dtype=torch.long, device=rows.device)
            local[members] = torch.arange(members.numel(), device=rows.device)
            tokens = torch.nonzero(local[rows] >= 0).flatten()
            width = int(counts[members].max())
            end = int((lengths[members] + counts[members]).max())
            query_slots = lengths[members][:, None] + torch.arange(width, device=rows.device)[None, :]
            visible = torch.arange(end, device=rows.device)[None, None, :] <= query_slots[:, :, None]
            bias = torch.zeros(visible.shape, dtype=dtype, device=rows.device).masked_fill_(~visible, float("-inf"))[:, None]
            groups.append(_Group(members, local[rows[tokens]], columns[tokens], tokens, width, end, bias))
        return groups

    def _forward(self, ids: torch.Tensor, rows: torch.Tensor, columns: torch.Tensor, cache: _Cache) -> torch.Tensor:
        """Hidden states [tokens, hidden] for the packed tokens `ids`, token t being the
        columns[t]-th new token of cache row rows[t] (every cache row gets at least one).

        Projections and MLP run on the packed tokens (no padding, one matmul for every row);
        attention runs per row on a padded view. A row's new tokens go into its cache from its
        length on, so positions are contiguous and every key before a query is visible. A decode
        step (one token per row, in row order) skips the padding. Each decode step is ~1,500
        small ops whose overhead, not arithmetic, bounds small batches: keep the op count low.
        """
        n = cache.lengths.numel()
        tokens = ids.numel()
        decode = tokens == n and int(columns.max()) == 0
        slots = cache.lengths[rows] + columns  # also the position: each row is filled from 0
        hidden = self.embed(ids)[None]
        cos, sin = self.rotary(hidden, slots[None])
        cos, sin = cos[:, :, None], sin[:, :, None]
        q_size, kv_size = self.heads * self.head_dim, self.kv_heads * self.head_dim
        groups = self.heads // self.kv_heads
        kv = self.matmul_dtype  # keys, values and attention in the matmul precision: the cache is half the bytes under bf16
        if decode:  # over the whole capacity: a slice of it would be copied by every attention matmul (measured: a third of a step)
            capacity = cache.keys[0].shape[2]
            visible = torch.arange(capacity, device=ids.device)[None, :] <= cache.lengths[:, None]
            bias = torch.zeros((n, 1, 1, capacity), dtype=self.dtype, device=ids.device).masked_fill_(~visible[:, None, None, :], float("-inf"))
        else:
            groups_of_rows = self._attention_groups(rows, columns, cache.lengths, kv)
        for index, layer in enumerate(self.layers):
            qkv = self._mm(self._norm(hidden, layer.input_norm), layer.qkv)
            rotated = self._rotate(qkv[..., :q_size + kv_size].view(1, tokens, self.heads + self.kv_heads, self.head_dim), cos, sin).to(kv)
            q, k = rotated[0, :, :self.heads], rotated[0, :, self.heads:]
            keys, values = cache.keys[index], cache.values[index]
            keys[rows, :, slots] = k
            values[rows, :, slots] = qkv[0, :, q_size + kv_size:].view(tokens, self.kv_heads, self.head_dim).to(kv)
            if decode:  # one query per row: grouped-query attention as two batched matmuls (faster than SDPA here)
                grouped = q.reshape(n, self.kv_heads, groups, self.head_dim)
                weights = (grouped @ keys.transpose(-1, -2)).to(self.dtype).mul_(self.scaling) + bias
                out = (weights.softmax(-1).to(kv) @ values).reshape(1, n, q_size)
            else:
                out = torch.empty((tokens, self.heads, self.head_dim), dtype=kv, device=ids.device)
                for group in groups_of_rows:
                    padded = torch.zeros((group.rows.numel(), self.heads, group.width, self.head_dim), dtype=kv, device=ids.device)
                    padded[group.local_rows, :, group.columns] = q[group.tokens]
                    attended = torch.nn.functional.scaled_dot_product_attention(
                        padded, keys[group.rows, :, :group.end], values[group.rows, :, :group.end], attn_mask=group.bias, enable_gqa=True,
                        scale=self.scaling)
                    out[group.tokens] = attended[group.local_rows, :, group.columns]
                out = out.reshape(1, tokens, q_size)
            hidden = hidden + self._mm(out, layer.o)
            gate, up = self._mm(self._norm(hidden, layer.post_norm), layer.gate_up, keep=True).split(self.intermediate, dim=-1)
            hidden = hidden + self._mm(torch.nn.functional.silu(gate).mul_(up), layer.down)
        return hidden[0]

    def _logits(self, hidden: torch.Tensor) -> torch.Tensor:
        return self._mm(self._norm(hidden, self.norm.weight), self.lm_head).float()

    def _empty_cache(self, rows: int, capacity: int) -> _Cache:
        shape = (rows, self.kv_heads, capacity, self.head_dim)
        # zeros, not empty: a masked slot still meets the value matmul with weight 0, and 0 * NaN is NaN
        return _Cache([torch.zeros(shape, dtype=self.matmul_dtype, device=self.device) for _ in self.layers],
                      [torch.zeros(shape, dtype=self.matmul_dtype, device=self.device) for _ in self.layers],
                      torch.zeros(rows, dtype=torch.long, device=self.device))

    def _prefix_cache(self) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """The shared prefix's keys and values, computed on first use and kept with the engine."""
        if self._prefix is None:
            cache = self._empty_cache(1, max(1, len(self.prefix_ids)))
            if self.prefix_ids:
                count = len(self.prefix_ids)
                self._forward(torch.tensor(self.prefix_ids, device=self.device), torch.zeros(count, dtype=torch.long, device=self.device),
                              torch.arange(count, device=self.device), cache)
            self._prefix = (cache.keys, cache.values)
        return self._prefix

    # -- generation ---------------------------------------------------------------------------

    @torch.inference_mode()
    def generate(self, prompts: list[list[int]], budgets: list[int], processors, pad_token_id: int,
                 eos_token_id: int) -> tuple[torch.Tensor, int]:
        """Greedy continuations of `prompts` (token ids; those that start with the shared prefix reuse it).

        Returns what `generate` returns for left-padded prompts: a [rows, prompt_length + steps]
        matrix of the left-padded prompts and their continuations (pad after a row's end), and
        prompt_length. Row i stops at eos or after budgets[i] new tokens.
        """
        wanted = len(prompts)
        spare = max(0, MIN_DECODE_ROWS - wanted)
        prompts, budgets = list(prompts) + [prompts[-1]] * spare, list(budgets) + [budgets[-1]] * spare
        rows = len(prompts)
        prompt_length = max(len(p) for p in prompts)
        longest = max(budgets)
        cache = self._empty_cache(rows, prompt_length + longest + 1)
        prefix = len(self.prefix_ids)
        shares = [len(p) > prefix and p[:prefix] == self.prefix_ids for p in prompts]
        if prefix and any(shares):
            prefix_keys, prefix_values = self._prefix_cache()
            sharing = torch.tensor([row for row, shared in enumerate(shares) if shared], device=self.device)
            for layer in range(len(self.layers)):
                cache.keys[layer][sharing, :, :prefix] = prefix_keys[layer][:, :, :prefix]
                cache.values[layer][sharing, :, :prefix] = prefix_values[layer][:, :, :prefix]

        # Prefill: every row's own tokens packed into one pass, no padding in the matmuls.
        starts = [prefix if shared else 0 for shared in shares]
        cache.lengths = torch.tensor(starts, device=self.device)
        own = [prompt[start:] for prompt, start in zip(prompts, starts)]
        ids = torch.tensor([token for tokens in own for token in tokens], device=self.device)
        token_rows = torch.tensor([row for row, tokens in enumerate(own) for _ in tokens], device=self.device)
        columns = torch.tensor([column for tokens in own for column in range(len(tokens))], device=self.device)
        began = time.perf_counter()
        hidden = self._forward(ids, token_rows, columns, cache)
        last = torch.tensor([len(tokens) for tokens in own], device=self.device).cumsum(0) - 1
        scores = self._logits(hidden[last])
        self.timings.prefill_seconds += time.perf_counter() - began
        self.timings.prefill_tokens += int(ids.numel())
        cache.lengths = torch.tensor([len(p) for p in prompts], device=self.device)

        matrix = torch.full((rows, prompt_length + longest), pad_token_id, dtype=torch.long, device=self.device)
        for row, prompt in enumerate(prompts):
            matrix[row, prompt_length - len(prompt):prompt_length] = torch.tensor(prompt, device=self.device)
        budget = torch.tensor(budgets, device=self.device)
        active = torch.arange(rows, device=self.device)  # the original row of each cache row
        done = torch.zeros(rows, dtype=torch.bool, device=self.device)
        done[wanted:] = True  # spare rows never write
        step = 0
        while True:
            width = prompt_length + step
            if processors is not None:  # built for the requested rows, not the spare ones
                began = time.perf_counter()
                scores[:wanted] = processors(matrix[:wanted, :width], scores[:wanted])
                self.timings.processor_seconds += time.perf_counter() - began
            chosen = scores.argmax(dim=-1)
            chosen[done] = pad_token_id
            matrix[:, width] = chosen
            step += 1
            done |= (chosen == eos_token_id) | (budget <= step)
            if bool(done[:wanted].all()):
                break
            keep = ~done[active]
            short = MIN_DECODE_ROWS - int(keep.sum())
            if short > 0:  # finished rows ride along to keep the step's matmuls at MIN_DECODE_ROWS
                keep[torch.nonzero(~keep).flatten()[:short]] = True
            if int((~keep).sum()) >= max(1, int(COMPACT_SHARE * active.numel())):
                cache = _Cache([k[keep] for k in cache.keys], [v[keep] for v in cache.values], cache.lengths[keep])
                active = active[keep]
            count = active.numel()
            began = time.perf_counter()
            hidden = self._forward(matrix[active, width], torch.arange(count, device=self.device),
                                   torch.zeros(count, dtype=torch.long, device=self.device), cache)
            cache.lengths += 1
            scores = torch.zeros_like(scores)  # finished rows: any scores, their token is pad
            scores[active] = self._logits(hidden)
            self.timings.decode_seconds += time.perf_counter() - began
            self.timings.decode_steps += 1
        return matrix[:wanted, :prompt_length + step], prompt_length
