package io.conceptseg.pipeline;

import io.conceptseg.api.ConceptSegException;
import io.conceptseg.api.ModelPackageException;
import io.conceptseg.api.model.ModelPackage;
import io.conceptseg.api.model.ModelRegistry;
import io.conceptseg.commons.model.ModelPackages;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.util.tracker.BundleTracker;

/**
 * The model extender: publishes the packages of started model bundles (header
 * {@code ConceptSeg-Model}) and of the folders named by the framework property
 * {@code conceptseg.model.dirs} (path-separator separated). Folders come first, so a user's own
 * model is the default over the embedded one; {@code conceptseg.model.default} names one explicitly.
 * A broken package is reported and skipped; it never stops the others.
 */
@Component(service = ModelRegistry.class, immediate = true)
public class ModelRegistryComponent implements ModelRegistry {
    private final List<ModelPackage> folderModels = new CopyOnWriteArrayList<>();
    private final Map<Long, ModelPackage> bundleModels = new ConcurrentHashMap<>();
    private BundleTracker<ModelPackage> tracker;
    private volatile String defaultId;

    @Activate
    void activate(BundleContext context) {
        defaultId = context.getProperty("conceptseg.model.default");
        String dirs = context.getProperty("conceptseg.model.dirs");
        if (dirs != null) {
            for (String d : dirs.split(File.pathSeparator)) {
                if (d.isBlank()) {
                    continue;
                }
                try {
                    folderModels.add(ModelPackages.open(Path.of(d.strip()), d.strip()));
                } catch (ConceptSegException e) {
                    System.err.println("[conceptseg] model folder skipped: " + e.getMessage());
                }
            }
        }
        tracker = new BundleTracker<>(context, Bundle.ACTIVE, null) {
            @Override
            public ModelPackage addingBundle(Bundle bundle, BundleEvent event) {
                String folder = bundle.getHeaders().get(ModelBundleExtractor.HEADER);
                if (folder == null) {
                    return null;
                }
                try {
                    File data = context.getDataFile("models/" + bundle.getBundleId());
                    if (data == null) {
                        throw new ModelPackageException(bundle.getSymbolicName(), "the framework has no storage area to extract the model to");
                    }
                    Path dir = ModelBundleExtractor.extract(bundle, folder, data.toPath());
                    ModelPackage p = ModelPackages.open(dir, bundle.getSymbolicName() + " " + bundle.getVersion());
                    bundleModels.put(bundle.getBundleId(), p);
                    return p;
                } catch (ConceptSegException e) {
                    System.err.println("[conceptseg] model bundle " + bundle.getSymbolicName() + " skipped: " + e.getMessage());
                    return null;
                }
            }

            @Override
            public void removedBundle(Bundle bundle, BundleEvent event, ModelPackage p) {
                bundleModels.remove(bundle.getBundleId());
            }
        };
        tracker.open();
    }

    @Deactivate
    void deactivate() {
        tracker.close();
        bundleModels.clear();
        folderModels.clear();
    }

    @Override
    public List<ModelPackage> models() {
        List<ModelPackage> all = new ArrayList<>(folderModels);
        bundleModels.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> all.add(e.getValue()));
        if (defaultId != null) {
            all.sort((a, b) -> Boolean.compare(!a.id().equals(defaultId), !b.id().equals(defaultId)));
        }
        return all;
    }

    @Override
    public Optional<ModelPackage> find(String id) {
        return models().stream().filter(m -> m.id().equals(id)).findFirst();
    }

    @Override
    public ModelPackage defaultModel() {
        List<ModelPackage> all = models();
        if (all.isEmpty()) {
            throw new ModelPackageException("models", "no model package is installed: start the model bundle "
                    + "(io.conceptseg.model.inspection) or set conceptseg.model.dirs to a package folder");
        }
        if (defaultId != null && !all.get(0).id().equals(defaultId)) {
            throw new ModelPackageException("model " + defaultId, "conceptseg.model.default names a model that is not installed");
        }
        return all.get(0);
    }
}
