import { Module, type DynamicModule } from '@nestjs/common';
import { ConsoleModule, type ConsoleOptions } from '@millwright/console';
import { NatsConnectionModule } from '@millwright/messaging';
import { ObservabilityModule } from '@millwright/observability';

@Module({})
export class AppModule {
  static forOptions(o: ConsoleOptions, natsUrl: string, nkeySeedFile = ''): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: 'console' }),
        ...(o.mode === 'edge' ? [NatsConnectionModule.forRoot({ servers: natsUrl, name: 'millwright-console', nkeySeedFile })] : []),
        ConsoleModule.forRoot(o),
      ],
    };
  }
}
