package security

import (
	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"
)

// scramClient is sarama's SCRAMClient over xdg-go/scram. Kafka's SCRAM
// client (ScramSaslClient, ScramFormatter) applies no SASLprep to the name
// or password, so neither does this one.
type scramClient struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

func scramClientFor(mechanism string) func() sarama.SCRAMClient {
	hash := scram.SHA512
	if mechanism == MechanismScramSHA256 {
		hash = scram.SHA256
	}
	return func() sarama.SCRAMClient { return &scramClient{hash: hash} }
}

func (c *scramClient) Begin(user, password, authzID string) error {
	client, err := c.hash.NewClientUnprepped(user, password, authzID)
	if err != nil {
		return err
	}
	c.conv = client.NewConversation()
	return nil
}

func (c *scramClient) Step(challenge string) (string, error) { return c.conv.Step(challenge) }

func (c *scramClient) Done() bool { return c.conv.Done() }
