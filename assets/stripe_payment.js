// The card form of the checkout page when the shop takes payments through Stripe.
// Card details go from Stripe.js straight to Stripe; the shop's server only ever sees
// the PaymentMethod id this script hands to it, and the outcome of 3-D Secure.
window.kestrelStripe = {
  stripe: null,
  card: null,

  // Mount the card element into `selector` once the page has rendered it.
  async mount(publishableKey, selector) {
    for (let tries = 0; tries < 50 && !document.querySelector(selector); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const host = document.querySelector(selector);
    if (!window.Stripe || !host) {
      return "The card form could not be loaded; reload the page to try again.";
    }
    this.stripe = this.stripe || window.Stripe(publishableKey);
    if (this.card) {
      try { this.card.destroy(); } catch (error) { /* already gone */ }
    }
    this.card = this.stripe.elements().create("card");
    this.card.mount(host);
    return "";
  },

  // {id} of a new PaymentMethod for the card typed in, or {error} to show.
  async paymentMethod() {
    if (!this.stripe || !this.card) {
      return { error: "The card form is not ready; reload the page to try again." };
    }
    let result;
    try {
      result = await this.stripe.createPaymentMethod({ type: "card", card: this.card });
    } catch (error) {
      return { error: "Stripe could not be reached; please try again." };
    }
    if (!result || result.error || !result.paymentMethod) {
      const message = result && result.error && result.error.message;
      return { error: message || "Your card details were not accepted." };
    }
    return { id: result.paymentMethod.id };
  },

  // Let the shopper's bank confirm the payment (3-D Secure); "" when done, else why not.
  async confirm(clientSecret) {
    let result;
    try {
      result = await this.stripe.confirmCardPayment(clientSecret);
    } catch (error) {
      return "Stripe could not be reached; please try again.";
    }
    if (!result || result.error) {
      const message = result && result.error && result.error.message;
      return message || "The payment was not confirmed with your bank.";
    }
    return "";
  },
};
