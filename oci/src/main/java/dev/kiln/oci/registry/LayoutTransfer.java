package dev.kiln.oci.registry;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.ImageLayout;
import dev.kiln.oci.LayoutReader;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.OciException;
import dev.kiln.oci.OciJsonReader;
import dev.kiln.store.Digest;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import okhttp3.Response;

/** Walks an image graph between an OCI layout and a registry: children before what names them. */
final class LayoutTransfer {
    private final RegistryTransport transport;
    private final Blobs blobs;
    private final Manifests manifests;
    private final Set<Digest> done = new HashSet<>();

    LayoutTransfer(RegistryTransport transport, Blobs blobs, Manifests manifests) {
        this.transport = transport;
        this.blobs = blobs;
        this.manifests = manifests;
    }

    Pushed push(Path dir, ImageReference ref) {
        LayoutReader layout = LayoutReader.open(dir);
        Descriptor top = layout.top();
        if (ref.digest().isPresent() && !ref.digest().get().equals(top.digest())) {
            throw new RegistryException("cannot push " + dir + " as " + ref + ": the layout's image is " + top.digest()
                    + "\n  fix: push by tag, or name the layout's digest");
        }
        ImageReference repo = ref.repositoryOnly();
        byte[] bytes = layout.bytes(top);
        String mediaType = OciJsonReader.mediaType(bytes, top.mediaType(), dir + " " + top.digest());
        pushDependencies(layout, repo, new Descriptor(mediaType, top.digest(), top.size(), top.annotations(), top.platform()));
        String reference = ref.tagOrDefault().orElse(top.digest().toString());
        manifests.putManifest(repo, reference, mediaType, bytes, Access.PUSH);
        return new Pushed(ref.withDigest(top.digest()), top);
    }

    /** Everything {@code d} names: blobs of a manifest, or each manifest of an index (pushed by digest). */
    private void pushDependencies(LayoutReader layout, ImageReference repo, Descriptor d) {
        if (MediaTypes.isIndex(d.mediaType())) {
            for (Descriptor child : layout.index(d).manifests()) {
                if (!done.add(child.digest())) {
                    continue;
                }
                byte[] bytes = layout.bytes(child);
                pushDependencies(layout, repo, child);
                manifests.putManifest(repo, child.digest().toString(), child.mediaType(), bytes, Access.PUSH);
            }
        } else if (MediaTypes.isManifest(d.mediaType())) {
            Manifest m = layout.manifest(d);
            List<Descriptor> blobs = new ArrayList<>();
            blobs.add(m.config());
            blobs.addAll(m.layers());
            for (Descriptor blob : blobs) {
                if (done.add(blob.digest())) {
                    this.blobs.putBlob(repo, blob.digest(), blob.size(), layout.blob(blob));
                }
            }
        } else {
            throw new OciException(layout.dir() + ": " + d.digest() + " is a " + d.mediaType()
                    + ", expected an image manifest or index");
        }
    }

    Descriptor pull(ImageReference ref, Path target) {
        ImageReference repo = ref.repositoryOnly();
        ManifestContent top = manifests.getManifest(ref);
        try (ImageLayout layout = ImageLayout.stage(target)) {
            pullDependencies(layout, repo, top);
            Descriptor written = layout.writeBlob(top.mediaType(), top.bytes());
            layout.commit(written, ref.tag().orElse(ImageReference.DEFAULT_TAG));
            return written;
        }
    }

    private void pullDependencies(ImageLayout layout, ImageReference repo, ManifestContent m) {
        String source = repo.name() + " " + m.digest();
        if (MediaTypes.isIndex(m.mediaType())) {
            for (Descriptor child : OciJsonReader.index(m.bytes(), source).manifests()) {
                if (layout.contains(child.digest())) {
                    continue;
                }
                ManifestContent c = manifests.findManifest(repo, child.digest().toString(), Optional.of(child.digest()),
                        Access.PULL).orElseThrow(() -> new RegistryException(RegistryException.Kind.NOT_FOUND,
                        repo.registry() + " lacks manifest " + child.digest() + " that index " + m.digest() + " of "
                        + repo.repository() + " names\n  fix: the image in the registry is incomplete; push it again"));
                if (c.size() != child.size()) {
                    throw new RegistryException(RegistryException.Kind.WRONG_BYTES,
                            repo.registry() + ": manifest " + child.digest() + " has " + c.size()
                            + " bytes, the index says " + child.size());
                }
                pullDependencies(layout, repo, c);
                layout.writeBlob(child.mediaType(), c.bytes());
            }
        } else if (MediaTypes.isManifest(m.mediaType())) {
            Manifest manifest = OciJsonReader.manifest(m.bytes(), source);
            List<Descriptor> blobs = new ArrayList<>();
            blobs.add(manifest.config());
            blobs.addAll(manifest.layers());
            for (Descriptor blob : blobs) {
                if (!layout.contains(blob.digest())) {
                    download(layout, repo, blob);
                }
            }
        } else {
            throw new RegistryException(source + " is a " + m.mediaType() + ", expected an image manifest or index"
                    + "\n  fix: kiln pulls OCI and Docker schema 2 images");
        }
    }

    private void download(ImageLayout layout, ImageReference repo, Descriptor blob) {
        transport.retrying(repo, "download blob " + blob.digest(), a -> {
            try (Response r = blobs.blobResponse(a, repo, blob.digest()); InputStream in = r.body().byteStream()) {
                return layout.writeBlob(blob.mediaType(), blob.digest(), blob.size(), in);
            }
        });
    }
}
