package dev.vela.gguf;

import dev.vela.VelaException;
import dev.vela.tensor.GGMLType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (versions 2 and 3), memory-mapped: the header is parsed once, with every length and
 * count checked against the file's size, and each tensor's data is a slice of the mapping, never a
 * copy. Closing the file unmaps it.
 */
public final class GGUFFile implements AutoCloseable {
    private static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int
    private static final int DEFAULT_ALIGNMENT = 32;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapped;
    private final int version;
    private final Metadata metadata;
    private final Map<String, TensorInfo> tensors;
    private final long dataOffset;

    private GGUFFile(Path path, Arena arena, MemorySegment mapped, int version, Metadata metadata,
                     Map<String, TensorInfo> tensors, long dataOffset) {
        this.path = path;
        this.arena = arena;
        this.mapped = mapped;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.dataOffset = dataOffset;
    }

    public static GGUFFile open(Path path) {
        String name = path.toString();
        if (Files.isDirectory(path)) {
            throw new VelaException(name + ": is a directory, not a GGUF file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment mapped = size == 0 ? MemorySegment.ofArray(new byte[0]) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            GGUFFile file = parse(path, arena, mapped);
            return file;
        } catch (NoSuchFileException e) {
            arena.close();
            throw new VelaException(name + ": no such file");
        } catch (IOException e) {
            arena.close();
            throw new VelaException(name + ": cannot read: " + e.getMessage());
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static GGUFFile parse(Path path, Arena arena, MemorySegment mapped) {
        String name = path.toString();
        Reader in = new Reader(name, mapped);
        if (mapped.byteSize() < 4 || in.i32() != MAGIC) {
            throw new VelaException(name + ": not a GGUF file (it does not start with the bytes 'GGUF')");
        }
        int version = in.i32();
        if (version == 1) {
            throw new VelaException(name + ": GGUF version 1 is obsolete and not supported; convert the model again with a current llama.cpp");
        }
        if (version < 1 || version > 3) {
            throw new VelaException(name + ": unsupported GGUF version " + Integer.toUnsignedString(version) + " (Vela reads versions 2 and 3)");
        }
        long tensorCount = in.count(24, "tensor count");
        long kvCount = in.count(12, "metadata count");

        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, ValueType> types = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = in.string();
            ValueType type = in.valueType(key);
            values.put(key, in.value(type, key, 0));
            types.put(key, type);
        }
        Metadata metadata = new Metadata(name, values, types);

        List<TensorInfo> infos = new ArrayList<>();
        List<long[]> rawOffsets = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            String tname = in.string();
            int nDims = in.i32();
            if (nDims < 1 || nDims > 4) {
                throw new VelaException(name + ": tensor " + tname + " has " + Integer.toUnsignedString(nDims) + " dimensions (at most 4 are allowed)");
            }
            long[] dims = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                dims[d] = in.i64();
                if (dims[d] <= 0 || dims[d] > mapped.byteSize() * 8) {
                    throw new VelaException(name + ": tensor " + tname + " has an impossible dimension " + Long.toUnsignedString(dims[d]));
                }
                elements = Math.multiplyExact(elements, dims[d]);
            }
            int typeId = in.i32();
            GGMLType type = GGMLType.fromId(typeId).orElseThrow(() -> new VelaException(
                    name + ": tensor " + tname + " has unknown type id " + Integer.toUnsignedString(typeId)
                            + " (a newer ggml type, or a corrupt file)"));
            if (dims[0] % type.blockSize != 0) {
                throw new VelaException(name + ": tensor " + tname + " has rows of " + dims[0] + " values, not a multiple of "
                        + type + "'s block size " + type.blockSize);
            }
            long offset = in.i64();
            infos.add(new TensorInfo(tname, dims, type, offset, type.bytesFor(elements)));
        }

        int alignment = metadata.getInt("general.alignment", DEFAULT_ALIGNMENT);
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new VelaException(name + ": general.alignment = " + alignment + " is not a power of two");
        }
        long dataOffset = (in.position() + alignment - 1) / alignment * alignment;

        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo t : infos) {
            long start = dataOffset + t.offset();
            if (t.offset() < 0 || start < dataOffset || start + t.byteSize() > mapped.byteSize() || start + t.byteSize() < start) {
                throw new VelaException(name + ": tensor " + t.name() + " (" + t.byteSize() + " bytes at offset "
                        + Long.toUnsignedString(t.offset()) + ") lies outside the file (" + mapped.byteSize()
                        + " bytes): the file is truncated or corrupt");
            }
            if (byName.put(t.name(), t) != null) {
                throw new VelaException(name + ": tensor " + t.name() + " appears twice");
            }
        }
        return new GGUFFile(path, arena, mapped, version, metadata, Collections.unmodifiableMap(byName), dataOffset);
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public Metadata metadata() {
        return metadata;
    }

    /** Tensor infos in file order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public long dataOffset() {
        return dataOffset;
    }

    public long fileSize() {
        return mapped.byteSize();
    }

    public boolean hasTensor(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo tensor(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new VelaException(path + ": required tensor '" + name + "' is missing");
        }
        return t;
    }

    /** The tensor's bytes, a slice of the mapping. */
    public MemorySegment data(TensorInfo t) {
        return mapped.asSlice(dataOffset + t.offset(), t.byteSize());
    }

    @Override
    public void close() {
        arena.close();
    }
}
