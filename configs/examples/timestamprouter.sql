-- An outbox written by a trigger on public.example: Debezium's change
-- events carry no record timestamp, which TimestampRouter needs; the outbox
-- EventRouter sets one (the event's ts_ms), as in Debezium's outbox example.
CREATE TABLE IF NOT EXISTS public.outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  aggregatetype text NOT NULL,
  aggregateid text NOT NULL,
  type text NOT NULL,
  payload jsonb
);
CREATE OR REPLACE FUNCTION public.example_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.outbox (aggregatetype, aggregateid, type, payload)
  VALUES ('example', COALESCE(NEW.id, OLD.id)::text, TG_OP, to_jsonb(COALESCE(NEW, OLD)));
  RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER example_outbox AFTER INSERT OR UPDATE OR DELETE ON public.example
  FOR EACH ROW EXECUTE FUNCTION public.example_outbox();
