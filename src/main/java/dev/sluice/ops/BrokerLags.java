package dev.sluice.ops;

import dev.sluice.engine.JobPipeline;
import dev.sluice.engine.Pipelines;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;

/** The broker-side lag of every job: one {@link BrokerLag} per job, on its topic and group. */
@Component
class BrokerLags implements DisposableBean {

    private final List<BrokerLag> lags = new ArrayList<>();

    BrokerLags(KafkaAdmin kafkaAdmin, Pipelines pipelines, BrokerLagProperties properties) {
        for (JobPipeline job : pipelines.all()) {
            lags.add(new BrokerLag(kafkaAdmin.getConfigurationProperties(), job.job().topic(), job.job().group(), properties,
                    job.meters()));
        }
    }

    @Override
    public void destroy() {
        lags.forEach(BrokerLag::destroy);
    }
}
